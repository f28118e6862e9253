/// The deployment as omnisim sees it: hosts in inventory order, the settings, and everything derived.
/// The fields live in one shared, copy-on-write box: every step and task reads the cluster, and a copy
/// costs one reference count.
public struct Cluster: Sendable {
    private struct Fields: Sendable {
        var hosts: [Host]
        var globals: InventoryGlobals
        var settings: DeploymentSettings
        var derived: DerivedValues
        var settingLocations: [String: SourceLocation] = [:]
        var indexByName: [String: Int]
        /// Host name → its role and container name, made once: every step asks for it on every host.
        var containerNames: [String: (role: Role, name: String)]
        let firstPrefill: Host?
        let lmcacheHost: Host?
    }

    private var box: SharedBox<Fields>

    public var hosts: [Host] {
        _read { yield box.value.hosts }
        set {
            box.value.hosts = newValue
            box.value.containerNames = Self.containerNames(newValue, box.value.settings)
        }
    }
    public var globals: InventoryGlobals {
        _read { yield box.value.globals }
        _modify { yield &box.value.globals }
    }
    public var settings: DeploymentSettings {
        _read { yield box.value.settings }
        set {
            box.value.settings = newValue
            box.value.containerNames = Self.containerNames(box.value.hosts, newValue)
        }
    }
    public var derived: DerivedValues {
        _read { yield box.value.derived }
        _modify { yield &box.value.derived }
    }
    /// Where each setting was written (scenario or playbook), for located findings.
    public var settingLocations: [String: SourceLocation] {
        _read { yield box.value.settingLocations }
        _modify { yield &box.value.settingLocations }
    }
    /// The first host of group P (computed once: step selectors ask for it for every host).
    public var firstPrefill: Host? { _read { yield box.value.firstPrefill } }
    /// The C host that serves etcd and Mooncake (the first one), when the three ports are set.
    public var lmcacheHost: Host? { _read { yield box.value.lmcacheHost } }

    public init(hosts: [Host], globals: InventoryGlobals = InventoryGlobals(), settings: DeploymentSettings = DeploymentSettings()) {
        var index: [String: Int] = [:]
        for (i, host) in hosts.enumerated() where index[host.name] == nil { index[host.name] = i }
        box = SharedBox(Fields(
            hosts: hosts, globals: globals, settings: settings, derived: DerivedValues(hosts: hosts), indexByName: index,
            containerNames: Self.containerNames(hosts, settings), firstPrefill: hosts.first { $0.role == .prefill },
            lmcacheHost: globals.lmcachePorts == nil ? nil : hosts.first { $0.role == .proxy }))
    }

    private static func containerNames(_ hosts: [Host], _ settings: DeploymentSettings) -> [String: (role: Role, name: String)] {
        var names: [String: (role: Role, name: String)] = [:]
        names.reserveCapacity(hosts.count)
        for host in hosts where names[host.name] == nil { names[host.name] = (host.role, settings.containerName(for: host)) }
        return names
    }

    public init(inventory: Inventory, settings: DeploymentSettings) {
        self.init(hosts: inventory.hosts, globals: inventory.globals, settings: settings)
    }

    public func host(named name: String) -> Host? { box.value.indexByName[name].map { box.value.hosts[$0] } }
    public func hosts(_ role: Role) -> [Host] { hosts.filter { $0.role == role } }
    public var prefill: [Host] { hosts(.prefill) }
    public var decode: [Host] { hosts(.decode) }
    public var proxy: [Host] { hosts(.proxy) }

    /// P instances: P hosts grouped by `host_ip`, in order of first appearance.
    public var prefillInstances: [[Host]] {
        var order: [String] = []
        var groups: [String: [Host]] = [:]
        for host in prefill {
            let key = host.hostIP ?? host.address
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(host)
        }
        return order.map { groups[$0]! }
    }


    // MARK: Per-host runtime values (spec: runtime values table)

    /// The container of `host` in its role; hosts of other clusters (or renamed ones) get theirs made.
    public func containerName(_ host: Host) -> String {
        if let known = box.value.containerNames[host.name], known.role == host.role { return known.name }
        return settings.containerName(for: host)
    }

    public func nodeIPList(_ host: Host) -> String { derived.nodeIPList(of: host.name) ?? host.address }
    public func nnodes(_ host: Host) -> Int { derived.nnodes(of: host.name) ?? 1 }
    /// A P host belongs to a multi-node instance when its NODE_IP_LIST has a comma.
    public func isMultiNodePrefill(_ host: Host) -> Bool { host.role == .prefill && nodeIPList(host).utf8.contains(UInt8(ascii: ",")) }

    /// Prefill TP: devices on the host, times the node count for multi-node instances.
    public func prefillTensorParallelSize(_ host: Host) -> Int {
        let list = nodeIPList(host)
        let nodes = list.filter { $0 == "," }.count + 1
        return host.deviceCount * (nodes > 1 ? nodes : 1)
    }

    /// Number of API servers a host starts: 1 on P masters, one per device on D, none on P followers.
    public func apiServerCount(_ host: Host) -> Int {
        switch host.role {
        case .prefill: return isMultiNodePrefill(host) && !host.isMaster ? 0 : 1
        case .decode: return host.deviceCount
        case .proxy: return 0
        }
    }

    /// The ports the host's API servers bind in normal conditions.
    public func apiPorts(_ host: Host) -> [Int] {
        guard let base = host.apiPort else { return [] }
        let count = apiServerCount(host)
        return count == 0 ? [] : Array(base..<(base + count))
    }
}
