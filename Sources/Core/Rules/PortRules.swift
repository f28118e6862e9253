/// OMS113: no two processes on one machine bind the same port.
struct PortCollisionRule: Rule {
    let code = "OMS113"
    let title = "no port is bound twice on a machine"
    let area = RuleArea.ports
    func subjects(_ cluster: Cluster) -> [String] { PortPlan(cluster).byMachine.map(\.machine) }
    func check(_ cluster: Cluster) -> [Finding] {
        let bindings = PortPlan(cluster).bindings
        // Per machine, in first-seen order: the first binding of each port, and the findings.
        var machineIndex: [String: Int] = [:]
        var firstBinding: [[Int: Int]] = []
        var found: [[Finding]] = []
        for (i, binding) in bindings.enumerated() {
            let m: Int
            if let known = machineIndex[binding.machine] {
                m = known
            } else {
                m = firstBinding.count
                machineIndex[binding.machine] = m
                firstBinding.append([:])
                found.append([])
            }
            guard let e = firstBinding[m][binding.port] else { firstBinding[m][binding.port] = i; continue }
            let earlier = bindings[e], machine = binding.machine
            let host = cluster.host(named: binding.host)
            found[m].append(finding(machine, "port \(binding.port) on \(machine) is bound by \(earlier.purpose) of '\(earlier.host)' and by \(binding.purpose) of '\(binding.host)'",
                                    hint: "move one of them with port_offset, base_api_port or global_port_base",
                                    at: binding.field.flatMap { host?.location(of: $0) } ?? host?.location))
        }
        return found.flatMap { $0 }
    }
}

/// OMS114: API port ranges must stay within TCP's range.
struct PortRangeRule: Rule {
    let code = "OMS114"
    let title = "API port ranges fit in 0-65535"
    let area = RuleArea.ports
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill, .decode]) }
    func check(_ cluster: Cluster) -> [Finding] {
        cluster.hosts.indices.compactMap { i in
            // A host starts at most one API server per device, so only a range that would overflow with one
            // per device needs the exact count.
            guard let base = cluster.hosts[i].apiPort, base + cluster.hosts[i].deviceCount > 65536,
                  case let host = cluster.hosts[i], case let count = cluster.apiServerCount(host), count > 0,
                  case let last = base + count - 1, last > 65535 else { return nil }
            return finding(host.name, "the API servers of '\(host.name)' would need ports up to \(last)", at: host.location(of: "api_port"))
        }
    }
}

/// OMS115: global_proxy.sh refuses a listen port outside [1024, 65500].
struct ProxyPortRule: Rule {
    let code = "OMS115"
    let title = "proxy port within 1024-65500"
    let area = RuleArea.proxy
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.proxy]) }
    func check(_ cluster: Cluster) -> [Finding] {
        cluster.proxy.compactMap { host in
            guard !(1024...65500).contains(host.nodePort) else { return nil }
            return finding(host.name, "proxy listen port of '\(host.name)' is \(host.nodePort); global_proxy.sh accepts only 1024-65500 and would exit without starting nginx",
                           at: host.location(of: "node_port"))
        }
    }
}

/// OMS116: etcd and Mooncake need all three ports, and a C host to run on.
struct LMCachePortsRule: Rule {
    let code = "OMS116"
    let title = "etcd/Mooncake ports are complete"
    let area = RuleArea.lmcache
    func subjects(_ cluster: Cluster) -> [String] { ["cluster"] }
    func check(_ cluster: Cluster) -> [Finding] {
        let g = cluster.globals
        let given = [("etcd_port", g.etcdPort), ("mooncake_master_port", g.mooncakeMasterPort), ("mooncake_metrics_port", g.mooncakeMetricsPort)]
        let set = given.filter { $0.1 != nil }
        if !set.isEmpty && set.count < 3 {
            let missing = given.filter { $0.1 == nil }.map(\.0)
            return [finding("cluster", "\(set.map(\.0).joined(separator: ", ")) set without \(missing.joined(separator: ", ")): the reference playbook skips every etcd/Mooncake task unless all three are set",
                            hint: "set all three in all.vars, or none", at: set[0].1?.location)]
        }
        if set.count == 3 && cluster.proxy.isEmpty {
            return [finding("cluster", "etcd/Mooncake ports are set but there is no C host to run etcd and the Mooncake master",
                            hint: "add a C host", at: g.etcdPort?.location)]
        }
        if cluster.settings.usesLMCache && set.isEmpty {
            return [finding("cluster", "KV_CONNECTOR is LMCacheConnectorV1 but etcd_port, mooncake_master_port and mooncake_metrics_port are not set: no Mooncake store would be started",
                            hint: "set the three ports in all.vars", at: g.childrenLocation)]
        }
        return []
    }
}

/// OMS117: load-balancer names the global proxy knows.
struct BalancerRule: Rule {
    static let known = ["pd_score_balance", "prefill_score_balance", "weighted_least_active", "greedy_timeout",
                        "least_total_load", "auto_balance_controller", "length_balance", "round_robin", "least_conn",
                        "prefix_cache_affinity", ""]
    let code = "OMS117"
    let title = "load-balancer names are known"
    let area = RuleArea.proxy
    func subjects(_ cluster: Cluster) -> [String] { ["PREFILL_LB_SDK", "DECODE_LB_SDK"] }
    func check(_ cluster: Cluster) -> [Finding] {
        [("PREFILL_LB_SDK", cluster.settings.prefillLBSDK), ("DECODE_LB_SDK", cluster.settings.decodeLBSDK)].compactMap { name, value in
            guard !Self.known.contains(value) else { return nil }
            return finding(name, "\(name) is '\(value)', which global_proxy.sh does not know: it falls back to least_conn",
                           hint: Spelling.closest(to: value, in: Self.known).map { "did you mean '\($0)'?" },
                           at: cluster.settingLocations[name], severity: .warning)
        }
    }
}

/// OMS118: the connectors the templates are written for.
struct ConnectorRule: Rule {
    let code = "OMS118"
    let title = "KV connector is known"
    let area = RuleArea.lmcache
    func subjects(_ cluster: Cluster) -> [String] { ["KV_CONNECTOR"] }
    func check(_ cluster: Cluster) -> [Finding] {
        let value = cluster.settings.kvConnector
        guard !["AscendHcclConnectorV1", "LMCacheConnectorV1"].contains(value) else { return [] }
        return [finding("KV_CONNECTOR", "KV_CONNECTOR is '\(value)'; the templates are written for AscendHcclConnectorV1 or LMCacheConnectorV1",
                        hint: Spelling.closest(to: value, in: ["AscendHcclConnectorV1", "LMCacheConnectorV1"]).map { "did you mean '\($0)'?" },
                        at: cluster.settingLocations["KV_CONNECTOR"], severity: .warning)]
    }
}
