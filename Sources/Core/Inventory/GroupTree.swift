/// The inventory's groups as Ansible reads them: P, D and C under `all.children`, each with its own
/// `vars`, `hosts` and nested `children` to any depth. A host takes the role of the top-level group it is
/// under; its variables come from its own entry, then from its group, then from each enclosing group
/// outwards (a child group's value wins over its parent's), then from `all.vars`.
struct GroupTree {
    struct Group {
        var name: String
        var role: Role
        /// The enclosing group; nil for P, D and C.
        var parent: Int?
        var vars: [String: VariableNode]
        /// Hosts declared directly in this group, in file order.
        var hosts: [Int] = []
        /// Child groups in file order.
        var children: [Int] = []
        var location: SourceLocation
    }

    struct DeclaredHost {
        var name: String
        var group: Int
        var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)]
        var location: SourceLocation
    }

    private(set) var groups: [Group] = []
    private(set) var hosts: [DeclaredHost] = []
    private var groupByName: [String: Int] = [:]
    private var hostByName: [String: Int] = [:]
    private let reader: NodeReader
    private let readVars: (YAMLNode?, String) throws -> [String: VariableNode]

    init(reader: NodeReader, readVars: @escaping (YAMLNode?, String) throws -> [String: VariableNode]) {
        self.reader = reader
        self.readVars = readVars
    }

    /// Reads the groups of `all.children`.
    mutating func read(children node: YAMLNode) throws {
        for group in try reader.mapping(node, what: "'children'") {
            guard let role = Role(rawValue: group.key) else {
                let hint = Spelling.closest(to: group.key, in: ["P", "D", "C"]).map { "did you mean '\($0)'?" }
                    ?? "the playbook knows only the groups P (prefill), D (decode) and C (proxy); put other groups inside them"
                throw InputError(code: "OMS003", "unknown group '\(group.key)'", at: reader.source.location(group.keyNode), hint: hint)
            }
            try readGroup(group.key, keyNode: group.keyNode, value: group.value, role: role, parent: nil)
        }
    }

    private mutating func readGroup(_ name: String, keyNode: YAMLNode, value: YAMLNode, role: Role, parent: Int?) throws {
        let location = reader.source.location(keyNode)
        if let first = groupByName[name] {
            throw InputError(code: "OMS005", "group '\(name)' is declared twice (first at \(groups[first].location))", at: location,
                             hint: "each group is declared once; list a host's groups by nesting them")
        }
        if parent != nil, name == "all" || Role(rawValue: name) != nil {
            throw InputError(code: "OMS003", "group '\(name)' cannot be nested inside '\(groups[parent!].name)'", at: location,
                             hint: "P, D and C are the top-level groups under all.children")
        }
        let pairs = value.isNull ? [] : try reader.mapping(value, what: "group '\(name)'")
        try reader.checkKeys(pairs, known: ["hosts", "vars", "children"], what: "group '\(name)'")
        let index = groups.count
        groups.append(Group(name: name, role: role, parent: parent,
                            vars: try readVars(pairs.first { $0.key == "vars" }?.value, "'\(name).vars'"), location: location))
        groupByName[name] = index
        if let parent { groups[parent].children.append(index) }

        if let hostsNode = pairs.first(where: { $0.key == "hosts" })?.value, !hostsNode.isNull {
            for host in try reader.mapping(hostsNode, what: "the hosts of group '\(name)'") {
                let hostLocation = reader.source.location(host.keyNode)
                if let first = hostByName[host.key] {
                    throw InputError(code: "OMS005", "host '\(host.key)' is declared twice (first at \(hosts[first].location))", at: hostLocation,
                                     hint: "host names go into container and log names and must be unique")
                }
                hostByName[host.key] = hosts.count
                groups[index].hosts.append(hosts.count)
                let hostPairs = host.value.isNull ? [] : try reader.mapping(host.value, what: "host '\(host.key)'")
                hosts.append(DeclaredHost(name: host.key, group: index, pairs: hostPairs, location: hostLocation))
            }
        }
        if let childrenNode = pairs.first(where: { $0.key == "children" })?.value, !childrenNode.isNull {
            for child in try reader.mapping(childrenNode, what: "the children of group '\(name)'") {
                try readGroup(child.key, keyNode: child.keyNode, value: child.value, role: role, parent: index)
            }
        }
    }

    /// The group and its enclosing groups, innermost first.
    func chain(from group: Int) -> [Int] {
        var result = [group]
        while let parent = groups[result.last!].parent { result.append(parent) }
        return result
    }

    /// `group_names` of a host: every group it is in, directly or through nesting, sorted by name as
    /// Ansible sorts them.
    func groupNames(of host: DeclaredHost) -> [String] {
        chain(from: host.group).map { groups[$0].name }.sorted()
    }

    /// A group's hosts as Ansible lists them (`groups['D']`): its own hosts, then those of its descendant
    /// groups level by level, each level in file order.
    func members(of group: Int) -> [Int] {
        var result: [Int] = []
        var level = [group]
        while !level.isEmpty {
            for g in level { result += groups[g].hosts }
            level = level.flatMap { groups[$0].children }
        }
        return result
    }

    /// The play's host order (`hosts: all`): the own hosts of the top-level groups, then the next level of
    /// groups, and so on, each level in file order.
    var playOrder: [Int] {
        var result: [Int] = []
        var level = groups.indices.filter { groups[$0].parent == nil }
        while !level.isEmpty {
            for g in level { result += groups[g].hosts }
            level = level.flatMap { groups[$0].children }
        }
        return result
    }

    /// The `groups` magic variable: every group's members by name, plus `all`.
    var groupsValue: Value {
        var map: [String: Value] = [:]
        for role in Role.allCases { map[role.rawValue] = .list([]) }
        for index in groups.indices { map[groups[index].name] = .list(members(of: index).map { .string(hosts[$0].name) }) }
        map["all"] = .list(playOrder.map { .string(hosts[$0].name) })
        return .map(map)
    }
}
