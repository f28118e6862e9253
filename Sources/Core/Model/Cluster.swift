/// The deployment as omnisim sees it: hosts in inventory order, the settings, the instances they form and
/// the values derived across them.
public struct Cluster: Sendable {
    public let hosts: [Host]
    public var globals: InventoryGlobals
    public let settings: DeploymentSettings
    public let derived: DerivedValues
    /// P instances in order of first appearance of their `host_ip`.
    public let prefillInstances: [PrefillInstance]
    /// Every D host as one instance (empty when the inventory has none): the main template's decode
    /// instance, and in every flavour the source of the lists computed over all of group D
    /// (`DECODE_SERVER_IP_LIST_ALL`, the proxy's decode servers).
    public let decodeInstance: DecodeInstance
    /// The decode instances of the flavour: `[decodeInstance]` for the main and A3 templates, one per
    /// `D<i>` group (in numeric order) for the elastic one.
    public let decodeInstances: [DecodeInstance]
    private let decodeInstanceByHost: [String: Int]
    /// Where each setting was written (scenario or playbook), for located findings.
    public var settingLocations: [String: SourceLocation] = [:]
    private let indexByName: [String: Int]
    private let prefillInstanceByKey: [String: Int]

    public init(hosts: [Host], globals: InventoryGlobals = InventoryGlobals(), settings: DeploymentSettings = DeploymentSettings()) {
        self.hosts = hosts
        self.globals = globals
        self.settings = settings
        derived = DerivedValues(hosts: hosts, flavour: settings.flavour)
        var index: [String: Int] = [:]
        for (i, host) in hosts.enumerated() where index[host.name] == nil { index[host.name] = i }
        indexByName = index

        // A P instance is the P hosts that share a host_ip; under the A3 template, those that also share
        // their prefill group (PA or PB).
        var order: [String] = []
        var members: [String: [Host]] = [:]
        var byHostIP: [String: [Host]] = [:]
        let flavour = settings.flavour
        func key(_ host: Host, _ hostIP: String) -> String {
            flavour.prefillSlot(of: host).map { "\($0)|" + hostIP } ?? hostIP
        }
        for host in hosts {
            guard case .prefill(let server, _) = host.duty else { continue }
            let k = key(host, server.hostIP)
            if members[k] == nil { order.append(k) }
            members[k, default: []].append(host)
            byHostIP[server.hostIP, default: []].append(host)
        }
        prefillInstances = order.map { k in
            let group = members[k]!
            let hostIP = group[0].hostIP ?? ""
            return PrefillInstance(masterAddress: hostIP, hosts: group, sharingHostIP: flavour == .a3TwoPrefill ? byHostIP[hostIP] : nil)
        }
        prefillInstanceByKey = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let decode = hosts.filter { $0.role == .decode }
        decodeInstance = DecodeInstance(hosts: decode, kvRank: derived.prefillPodNum)
        if settings.flavour == .elastic {
            // Every D instance takes kv rank PREFILL_POD_NUM: the elastic template gives them all the same one.
            let kvRank = derived.prefillPodNum
            decodeInstances = Flavour.decodeGroupNames.compactMap { group in
                let members = decode.filter { $0.groupNames.contains(group) }
                return members.isEmpty ? nil : DecodeInstance(hosts: members, kvRank: kvRank, group: group)
            }
        } else {
            decodeInstances = [decodeInstance]
        }
        var byHost: [String: Int] = [:]
        for (i, instance) in decodeInstances.enumerated() {
            for host in instance.hosts where byHost[host.name] == nil { byHost[host.name] = i }
        }
        decodeInstanceByHost = byHost
    }

    public init(inventory: Inventory, settings: DeploymentSettings) {
        self.init(hosts: inventory.hosts, globals: inventory.globals, settings: settings)
    }

    public func host(named name: String) -> Host? { indexByName[name].map { hosts[$0] } }
    public func hosts(_ role: Role) -> [Host] { hosts.filter { $0.role == role } }
    public var prefill: [Host] { hosts(.prefill) }
    public var decode: [Host] { hosts(.decode) }
    public var proxy: [Host] { hosts(.proxy) }

    /// The first host of group P: it generates the global ranktable.
    public var firstPrefill: Host? { hosts.first { $0.role == .prefill } }
    /// The C host that serves etcd and Mooncake (the first one), when the three ports are set.
    public var lmcacheHost: Host? { globals.lmcachePorts == nil ? nil : hosts.first { $0.role == .proxy } }

    /// The P instance of a P host: the one its `host_ip` names. A P host of another cluster forms an
    /// instance of its own.
    public func prefillInstance(of host: Host, server: ServerPlacement) -> PrefillInstance {
        let key = settings.flavour.prefillSlot(of: host).map { "\($0)|" + server.hostIP } ?? server.hostIP
        if let i = prefillInstanceByKey[key], prefillInstances[i].hosts.contains(where: { $0.name == host.name }) {
            return prefillInstances[i]
        }
        return PrefillInstance(masterAddress: server.hostIP, hosts: [host])
    }

    /// The decode instance `host` belongs to. A D host in no `D<i>` group of an elastic deployment gets an
    /// empty instance: the elastic template computes empty lists, one data-parallel rank and offset 0 for it.
    public func decodeInstance(of host: Host) -> DecodeInstance {
        if let i = decodeInstanceByHost[host.name] { return decodeInstances[i] }
        return settings.flavour == .elastic ? DecodeInstance(hosts: [], kvRank: derived.prefillPodNum) : decodeInstance
    }

    /// The P instance of `host`, nil unless it is a P host.
    public func prefillInstance(of host: Host) -> PrefillInstance? {
        guard case .prefill(let server, _) = host.duty else { return nil }
        return prefillInstance(of: host, server: server)
    }

    // MARK: Per-host runtime values

    /// The container of `host` in its role.
    public func containerName(_ host: Host) -> String { settings.containerName(for: host) }

    /// A P host belongs to a multi-node instance when its NODE_IP_LIST has a comma.
    public func isMultiNodePrefill(_ host: Host) -> Bool { prefillInstance(of: host)?.isMultiNode ?? false }

    /// Number of API servers a host starts: 1 on P masters, one per device on D, none on P followers.
    public func apiServerCount(_ host: Host) -> Int {
        switch host.duty {
        case .prefill(let server, _): return prefillInstance(of: host, server: server).apiServerCount(of: host)
        case .decode(let server): return server.deviceCount
        case .proxy: return 0
        }
    }

    /// The port a P host's KV connector advertises: 5568, or 5568 + its prefill slot under the A3 template.
    public func zmqPort(_ host: Host) -> Int { PortPlan.zmqPort + (settings.flavour.prefillSlot(of: host) ?? 0) }

    /// The ports the host's API servers bind in normal conditions.
    public func apiPorts(_ host: Host) -> [Int] {
        guard let base = host.apiPort else { return [] }
        let count = apiServerCount(host)
        return count == 0 ? [] : Array(base..<(base + count))
    }
}
