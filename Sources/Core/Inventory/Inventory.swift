/// A loaded inventory: hosts in inventory order with their typed fields, and the global fields the
/// playbook reads.
public struct Inventory: Sendable {
    public var path: String
    public var hosts: [Host]
    public var globals: InventoryGlobals

    public init(path: String, hosts: [Host], globals: InventoryGlobals) {
        self.path = path
        self.hosts = hosts
        self.globals = globals
    }
}

/// A number from the inventory with where it was written.
public struct LocatedInt: Sendable, Hashable {
    public var value: Int
    public var location: SourceLocation?

    public init(_ value: Int, at location: SourceLocation? = nil) {
        self.value = value
        self.location = location
    }
}

/// `all.vars` fields that steps and rules use directly.
public struct InventoryGlobals: Sendable, Hashable {
    public var etcdPort: LocatedInt?
    public var mooncakeMasterPort: LocatedInt?
    public var mooncakeMetricsPort: LocatedInt?
    public var procBindEnabled: Bool = false
    /// Where the groups are declared, for rules about them.
    public var groupLocations: [Role: SourceLocation] = [:]
    public var childrenLocation: SourceLocation?

    public init() {}

    /// The three etcd/Mooncake ports, when all are set (the reference playbook's condition for its LMCache tasks).
    public var lmcachePorts: (etcd: Int, master: Int, metrics: Int)? {
        guard let e = etcdPort, let m = mooncakeMasterPort, let x = mooncakeMetricsPort else { return nil }
        return (e.value, m.value, x.value)
    }
}
