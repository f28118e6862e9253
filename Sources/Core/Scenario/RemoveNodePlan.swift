/// The difference between a running elastic deployment and a target inventory without some of its hosts,
/// and the preconditions of removing them. Each failed precondition is a located diagnostic.
public struct RemoveNodePlan: Sendable {
    public let current: Scenario
    public let target: Scenario
    /// Hosts of the running deployment that the target no longer has.
    public let removed: [Host]
    public let problems: [Diagnostic]

    public init(current: Scenario, target: Scenario) {
        self.current = current
        self.target = target
        let targetNames = Set(target.inventory.hosts.map(\.name))
        removed = current.inventory.hosts.filter { !targetNames.contains($0.name) }
        problems = Self.check(current: current, target: target, removed: removed)
    }

    public var ok: Bool { !problems.contains { $0.severity == .error } }

    /// True when `target` only drops hosts of `current`: a scale-in rather than an addition.
    public static func removesHosts(current: Scenario, target: Scenario) -> Bool {
        let now = Set(current.inventory.hosts.map(\.name)), then = Set(target.inventory.hosts.map(\.name))
        return then.isSubset(of: now) && then != now
    }

    static func check(current: Scenario, target: Scenario, removed: [Host]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func error(_ code: String, _ message: String, _ location: SourceLocation?, hint: String? = nil) {
            problems.append(Diagnostic(code: code, message: message, location: location, hint: hint))
        }
        let top = SourceLocation(file: target.path, line: 1, column: 1)
        if current.settings.flavour != .elastic || target.settings.flavour != .elastic {
            error("OMS211", "scale-in follows the elastic template's procedure; the running deployment is \(current.settings.flavour.rawValue) and the target \(target.settings.flavour.rawValue)",
                  top, hint: "name 'flavour: elastic' in both scenarios")
        }
        let differing = DeploymentSettings.keys.filter { current.settings[keyPath: $0.path] != target.settings[keyPath: $0.path] }.map(\.name)
        if !differing.isEmpty {
            error("OMS202", "the target's settings differ from the running deployment's (\(differing.joined(separator: ", ")))",
                  target.settingLocations[differing[0]] ?? top)
        }
        let byName = Dictionary(current.inventory.hosts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for host in target.inventory.hosts {
            guard let before = byName[host.name] else {
                error("OMS204", "host '\(host.name)' is not in the running deployment: a scale-in only removes hosts", host.location)
                continue
            }
            if before.address != host.address || before.nodePort != host.nodePort || before.duty != host.duty {
                error("OMS204", "host '\(host.name)' changed between the running deployment and the target: a scale-in only removes hosts", host.location)
            }
        }
        if removed.isEmpty { error("OMS205", "the target removes no host", top) }
        let cluster = current.cluster
        let leaving = Set(removed.map(\.name))
        for host in removed {
            switch host.role {
            case .proxy:
                error("OMS212", "'\(host.name)' is the C host: removing the proxy stops serving altogether", host.location)
            case .prefill:
                let instance = cluster.prefillInstance(of: host)!
                if let staying = instance.hosts.first(where: { !leaving.contains($0.name) }) {
                    error("OMS212", "'\(host.name)' leaves but '\(staying.name)' of the same P instance stays: the instance cannot run without it",
                          host.location, hint: "remove every host of the instance (host_ip \(instance.masterAddress))")
                }
            case .decode:
                let instance = cluster.decodeInstance(of: host)
                if let staying = instance.hosts.first(where: { !leaving.contains($0.name) }) {
                    error("OMS212", "'\(host.name)' leaves but '\(staying.name)' of decode instance \(instance.group ?? "D") stays: its data-parallel group would lose ranks",
                          host.location, hint: "remove the whole \(instance.group ?? "D") group")
                }
            }
        }
        let after = target.cluster
        if after.prefill.isEmpty || after.decode.isEmpty {
            error("OMS213", "the target keeps no \(after.prefill.isEmpty ? "P" : "D") instance: nothing could serve", top)
        }
        return problems
    }
}
