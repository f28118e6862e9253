/// The difference between a running deployment and its target with added hosts, and the preconditions
/// the add-node flow needs. Each failed precondition is a located diagnostic.
public struct AddNodePlan: Sendable {
    public let current: Scenario
    public let target: Scenario
    /// Hosts in the target that the current deployment does not have.
    public let added: [Host]
    public let problems: [Diagnostic]

    public init(current: Scenario, target: Scenario) {
        self.current = current
        self.target = target
        let currentNames = Set(current.inventory.hosts.map(\.name))
        added = target.inventory.hosts.filter { !currentNames.contains($0.name) }
        problems = Self.check(current: current, target: target, added: added)
    }

    public var ok: Bool { !problems.contains { $0.severity == .error } }

    static func check(current: Scenario, target: Scenario, added: [Host]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func error(_ code: String, _ message: String, _ location: SourceLocation?, hint: String? = nil) {
            problems.append(Diagnostic(code: code, message: message, location: location, hint: hint))
        }
        let targetByName = Dictionary(target.inventory.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if current.settings.kvConnector != "LMCacheConnectorV1" {
            error("OMS201", "the running instance uses KV_CONNECTOR \(current.settings.kvConnector); adding a node needs LMCacheConnectorV1 (LMCache and Mooncake hold the KV cache)",
                  current.settingLocations["KV_CONNECTOR"] ?? SourceLocation(file: current.path, line: 1, column: 1),
                  hint: "redeploy with KV_CONNECTOR: LMCacheConnectorV1 first")
        }
        if target.settings != current.settings {
            var differing = DeploymentSettings.keys.filter { current.settings[keyPath: $0.path] != target.settings[keyPath: $0.path] }.map(\.name)
            if target.settings.flavour != current.settings.flavour { differing.append("flavour") }
            error("OMS202", "the target's settings differ from the running deployment's (\(differing.joined(separator: ", "))): the new node would not match",
                  target.settingLocations[differing.first ?? ""] ?? SourceLocation(file: target.path, line: 1, column: 1))
        }
        let cluster = target.cluster
        if target.inventory.globals.lmcachePorts == nil {
            error("OMS203", "etcd_port, mooncake_master_port and mooncake_metrics_port must all be set for add-node",
                  target.inventory.globals.childrenLocation)
        }
        if cluster.proxy.isEmpty {
            error("OMS203", "there is no C host to run etcd, Mooncake and the proxy", target.inventory.globals.childrenLocation)
        }
        for host in current.inventory.hosts {
            guard let now = targetByName[host.name] else {
                error("OMS204", "host '\(host.name)' of the running deployment is missing from the target: add-node only adds hosts",
                      SourceLocation(file: target.inventory.path, line: 1, column: 1))
                continue
            }
            // The duty holds the role, the kv rank and the server placement (host_ip, devices, api_port).
            if now.address != host.address || now.nodePort != host.nodePort || now.duty != host.duty {
                error("OMS204", "host '\(host.name)' changed between the running deployment and the target: add-node only adds hosts",
                      now.location)
            }
        }
        if added.isEmpty {
            error("OMS205", "the target adds no host", SourceLocation(file: target.inventory.path, line: 1, column: 1))
        }
        let existingSuperNodes = Set(current.inventory.hosts.filter { $0.role != .proxy }.map { superNode(of: $0, in: current) })
        var nextKV = current.cluster.derived.prefillPodNum
        let addedNames = Set(added.map(\.name))
        let elastic = target.settings.flavour == .elastic
        for host in added {
            // The elastic template adds whole decode instances (a new D<i> group); no flavour can grow a
            // running decode instance, whose processes keep the old DP size.
            if host.role == .decode {
                let instance = cluster.decodeInstance(of: host)
                let wholeNewInstance = elastic && !instance.hosts.isEmpty && instance.hosts.allSatisfy { addedNames.contains($0.name) }
                if !wholeNewInstance {
                    if elastic {
                        error("OMS206", "'\(host.name)' joins the running decode instance \(instance.group ?? "D"): its processes keep the old DP size",
                              host.location, hint: "add a new D<i> group whose hosts are all new, or redeploy the instance")
                    } else {
                        error("OMS206", "'\(host.name)' is a D host: adding a node to the running decode DP group is not supported (its processes keep the old DP size)",
                              host.location, hint: "add prefill hosts only; change the decode instance with a full redeploy")
                    }
                    continue
                }
            }
            if host.role == .proxy {
                error("OMS206", "'\(host.name)' is a C host: add-node adds \(elastic ? "P hosts and D<i> groups" : "prefill hosts") only", host.location)
                continue
            }
            let sn = superNode(of: host, in: target)
            if !existingSuperNodes.isEmpty && !existingSuperNodes.contains(sn) {
                error("OMS207", "'\(host.name)' is in super node \(sn), the running instance in \(existingSuperNodes.sorted().joined(separator: ", ")): new nodes must share the super node",
                      host.location(of: "super_node"))
            }
            if host.role == .prefill && host.isMaster {
                if host.kvRank != nextKV {
                    error("OMS208", "kv_rank of new P instance '\(host.name)' is \(host.kvRank ?? -1); the next free one is \(nextKV)",
                          host.location(of: "kv_rank"), hint: "set kv_rank: \(nextKV)")
                }
                nextKV += 1
            }
            if !target.machines.spec(for: host.address).modelPresent {
                error("OMS209", "MODEL_PATH \(target.settings.modelPath) is not present on '\(host.name)' (\(host.address))",
                      host.location, hint: "copy the weights to the new node first")
            }
        }
        for finding in RuleSet.check(cluster) where finding.code == "OMS113" {
            error("OMS210", finding.message, finding.location)
        }
        return problems
    }

    /// A host's super node: the inventory's `super_node`, else the scenario's machine description.
    static func superNode(of host: Host, in scenario: Scenario) -> String {
        host.superNode ?? scenario.machines.spec(for: host.address).superNode
    }
}
