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
    /// Every group in file order (P, D, C and the groups nested in them).
    public var groups: [InventoryGroup] = []

    public init() {}

    /// The three etcd/Mooncake ports, when all are set (the reference playbook's condition for its LMCache tasks).
    public var lmcachePorts: (etcd: Int, master: Int, metrics: Int)? {
        guard let e = etcdPort, let m = mooncakeMasterPort, let x = mooncakeMetricsPort else { return nil }
        return (e.value, m.value, x.value)
    }
}

/// One inventory group: P, D or C, or a group nested inside one of them (e.g. `D0` under `D`).
public struct InventoryGroup: Sendable, Hashable {
    public var name: String
    /// The role of the top-level group it is in.
    public var role: Role
    /// The enclosing group's name; nil for P, D and C.
    public var parent: String?
    /// The group's hosts as Ansible lists them (`groups[name]`), nested groups' hosts included.
    public var members: [String]
    public var location: SourceLocation?

    public init(name: String, role: Role, parent: String? = nil, members: [String], location: SourceLocation? = nil) {
        self.name = name
        self.role = role
        self.parent = parent
        self.members = members
        self.location = location
    }
}
