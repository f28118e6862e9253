/// OMS101: without a C host no global proxy is started.
struct ProxyGroupRule: Rule {
    let code = "OMS101"
    let title = "a C (proxy) host is present"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { ["cluster"] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.proxy.isEmpty else { return [] }
        return [finding("cluster", "group C has no host: no global proxy will be started",
                        hint: "add a C host to serve clients on proxy_port", at: cluster.globals.childrenLocation, severity: .warning)]
    }
}

/// OMS102: the playbook reads P-only facts from the first host of the play.
struct PrefillFirstRule: Rule {
    let code = "OMS102"
    let title = "the first host of the play is a P host"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { ["cluster"] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard let first = cluster.hosts.first, first.role != .prefill else { return [] }
        let location = cluster.globals.groupLocations[first.role] ?? first.location
        if cluster.settings.flavour == .a3TwoPrefill {
            // The A3 template guards its pauses with 'P' in group_names, and a pause is decided on the first host.
            return [finding("cluster", "the first host of the play is '\(first.name)' (group \(first.role.rawValue)), so the A3 template's pauses, decided on that host, are skipped: the P servers start right after the D servers",
                            hint: "list group P before D and C (with nested groups, the play lists each level's own hosts before the next level's)",
                            at: location, severity: .warning)]
        }
        return [finding("cluster", "the first host of the play is '\(first.name)' (group \(first.role.rawValue)); the playbook's pauses read NODE_IP_LIST, which only P hosts have",
                        hint: "list group P before D and C", at: location)]
    }
}

/// OMS103: the D master must come first in its instance so DP offsets and the runtime's IP order agree.
struct DecodeMasterFirstRule: Rule {
    let code = "OMS103"
    let title = "the D master is listed first"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { ["cluster"] }
    func check(_ cluster: Cluster) -> [Finding] {
        cluster.decodeInstances.compactMap { instance in
            guard let first = instance.hosts.first, !first.isMaster, let master = instance.hosts.first(where: \.isMaster) else { return nil }
            let group = instance.group ?? "D"
            let list = instance.group == nil ? "DECODE_SERVER_IP_LIST" : "DECODE_SERVER_IP_LIST_BY_GROUP"
            return finding("cluster", "D host '\(first.name)' is listed before the \(group) master '\(master.name)': server offsets \(instance.offsetLiteral) follow inventory order while \(list) puts the master first (\(instance.serverIPList))",
                           hint: "move '\(master.name)' to the top of group \(group)", at: first.location)
        }
    }
}

/// OMS104: the hosts of a decode instance (all of D in the main template, one `D<i>` group in the elastic
/// one) share one master, the instance's first master host.
struct DecodeHostIPRule: Rule {
    let code = "OMS104"
    let title = "every D host_ip is the D master's address"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.decode]) }
    func check(_ cluster: Cluster) -> [Finding] {
        let groups = cluster.globals.groups.filter { $0.role == .decode && Flavour.decodeGroupNames.contains($0.name) }.map(\.name)
        var findings: [Finding] = []
        for instance in cluster.decodeInstances {
            let group = instance.group ?? "D"
            guard let master = instance.hosts.first(where: \.isMaster) else {
                guard let first = instance.hosts.first else { continue }
                findings.append(finding(first.name, "no host of \(group) is a master (host_ip equal to its own ansible_host)",
                                        hint: "set host_ip of every \(group) host to the first \(group) host's address", at: first.location(of: "host_ip")))
                continue
            }
            for host in instance.hosts where host.hostIP != master.address {
                var message = "host_ip of D host '\(host.name)' is \(host.hostIP ?? "unset"), but the \(group) master '\(master.name)' is \(master.address)"
                var hint = "set host_ip: \"\(master.address)\""
                if instance.group == nil {
                    message += "; the \(cluster.settings.flavour.rawValue) template runs all D hosts as exactly one decode instance"
                    if groups.count > 1 {
                        hint = "the inventory splits D into \(groups.joined(separator: ", ")): the elastic flavour runs one decode instance per group (flavour: elastic)"
                    }
                }
                findings.append(finding(host.name, message, hint: hint, at: host.location(of: "host_ip")))
            }
        }
        return findings
    }
}

/// OMS105: a P follower must directly follow its master, or the reference playbook silently drops it.
struct PrefillFollowerOrderRule: Rule {
    let code = "OMS105"
    let title = "P followers follow their master"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill]) }
    func check(_ cluster: Cluster) -> [Finding] {
        var findings: [Finding] = []
        var current: String?
        for host in cluster.prefill {
            if host.isMaster { current = host.hostIP; continue }
            guard host.hostIP != current else { continue }
            let master = cluster.prefill.first { $0.isMaster && $0.address == host.hostIP }
            let why = master == nil ? "no P master has address \(host.hostIP ?? "?")"
                : "it is not listed directly after its master '\(master!.name)'"
            findings.append(finding(host.name, "P follower '\(host.name)' would be dropped from the merged ranktable: \(why); its instance would start nothing and report success",
                                    hint: master == nil ? "set host_ip to the master's ansible_host" : "move '\(host.name)' right after '\(master!.name)'",
                                    at: host.location(of: "host_ip")))
        }
        return findings
    }
}

/// OMS106: the main and elastic templates support one P instance per machine; the A3 template two, one
/// in group PA and one in group PB.
struct PrefillInstancePerMachineRule: Rule {
    let code = "OMS106"
    let title = "one P instance per machine"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill]) }
    func check(_ cluster: Cluster) -> [Finding] {
        if cluster.settings.flavour == .a3TwoPrefill { return checkSlots(cluster) }
        var firstOnMachine: [String: String] = [:]
        var findings: [Finding] = []
        for host in cluster.prefill {
            if let other = firstOnMachine[host.address] {
                findings.append(finding(host.name, "P hosts '\(other)' and '\(host.name)' are both on \(host.address): PREFILL_POD_NUM counts host_ip values, so the instance count, NODE_IP_LIST/NNODES and the ZMQ port 5568 would all clash",
                                        hint: "put each P instance on its own machine", at: host.location(of: "ansible_host")))
            } else {
                firstOnMachine[host.address] = host.name
            }
        }
        return findings
    }

    /// Under the A3 template each machine holds at most one PA and one PB instance, and every P host is
    /// in one of the two groups: a host in neither gets no container.
    private func checkSlots(_ cluster: Cluster) -> [Finding] {
        var taken: [String: String] = [:]
        var findings: [Finding] = []
        for host in cluster.prefill {
            guard let slot = cluster.settings.flavour.prefillSlot(of: host) else {
                findings.append(finding(host.name, "P host '\(host.name)' is in neither PA nor PB: the A3 template starts containers only for those two groups, so it gets none and its server never starts",
                                        hint: "put it under 'P: children: PA:' or 'PB:'", at: host.location))
                continue
            }
            let group = Flavour.prefillSlotGroups[slot]
            if let other = taken["\(host.address)|\(slot)"] {
                findings.append(finding(host.name, "P hosts '\(other)' and '\(host.name)' are both \(group) instances on \(host.address): they would share the ZMQ port \(cluster.zmqPort(host)) and the log directory",
                                        hint: "one PA and one PB instance per machine", at: host.location(of: "ansible_host")))
            } else {
                taken["\(host.address)|\(slot)"] = host.name
            }
        }
        return findings
    }
}

/// OMS107: kv_rank numbers P instances 0..n-1: one value per instance, distinct across instances.
struct KVRankRule: Rule {
    let code = "OMS107"
    let title = "kv_rank numbers the P instances 0..n-1"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { hostNames(cluster, [.prefill]) }
    func check(_ cluster: Cluster) -> [Finding] {
        var findings: [Finding] = []
        let instances = cluster.prefillInstances
        var owner: [Int: String] = [:]
        for instance in instances {
            let master = instance.hosts[0]
            guard let rank = master.kvRank else { continue }
            for node in instance.hosts.dropFirst() {
                guard let nodeRank = node.kvRank, nodeRank != rank else { continue }
                findings.append(finding(node.name, "kv_rank of '\(node.name)' is \(nodeRank) but its instance master '\(master.name)' has \(rank); all nodes of one instance share one kv_rank",
                                        hint: "set kv_rank: \(rank)", at: node.location(of: "kv_rank")))
            }
            if let other = owner[rank] {
                findings.append(finding(master.name, "kv_rank \(rank) is used by the instances of '\(other)' and '\(master.name)': engine ids would collide",
                                        hint: "number P instances 0..\(instances.count - 1)", at: master.location(of: "kv_rank")))
            } else if rank >= instances.count {
                findings.append(finding(master.name, "kv_rank \(rank) of '\(master.name)' is out of 0..\(instances.count - 1): the decode instance takes kv_rank \(instances.count) and kv_parallel_size is \(instances.count + 1)",
                                        hint: "number P instances 0..\(instances.count - 1) without gaps", at: master.location(of: "kv_rank")))
            }
            owner[rank] = owner[rank] ?? master.name
        }
        return findings
    }
}
