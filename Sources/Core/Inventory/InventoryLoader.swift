import Foundation

/// Reads an Ansible YAML inventory in the reference playbook's format (groups P, D and C under `all.children`,
/// each possibly holding nested child groups) into typed hosts, evaluating the Jinja expressions in its values.
public enum InventoryLoader {
    /// Host keys the playbook reads; a near-miss of one of these is reported as a typo.
    public static let knownHostKeys = [
        "ansible_host", "ansible_user", "ansible_port", "ansible_password", "ansible_ssh_pass",
        "ansible_ssh_private_key_file", "ansible_ssh_common_args", "node_rank", "kv_rank", "node_port",
        "api_port", "host_ip", "ascend_rt_visible_devices", "role", "super_node",
    ]
    private static let knownHostKeySet = Set(knownHostKeys)
    static let knownGlobalKeys = knownHostKeys + [
        "global_port_base", "base_api_port", "proxy_port", "port_offset", "etcd_port",
        "mooncake_master_port", "mooncake_metrics_port", "proc_bind_enabled",
    ]

    public static func load(path: String) throws -> Inventory {
        let source = try YAMLSource.read(path)
        return try load(root: try source.compose(), reader: NodeReader(source))
    }

    /// Loads an inventory whose root node is `root` (a whole file, or a mapping embedded in a scenario).
    public static func load(root: YAMLNode, reader: NodeReader) throws -> Inventory {
        let top = try reader.mapping(root, what: "the inventory")
        guard let all = top.first(where: { $0.key == "all" }) else {
            throw InputError(code: "OMS004", "the inventory has no 'all' group", at: reader.source.location(root),
                             hint: "an inventory starts with 'all:' holding 'vars' and 'children'")
        }
        try reader.checkKeys(top, known: ["all"], what: "the inventory")
        let allPairs = try reader.mapping(all.value, what: "'all'")
        try reader.checkKeys(allPairs, known: ["vars", "children", "hosts"], what: "'all'")
        if let hosts = allPairs.first(where: { $0.key == "hosts" }) {
            throw InputError(code: "OMS002", "hosts directly under 'all' belong to no group", at: reader.source.location(hosts.keyNode),
                             hint: "put each host under children P, D or C")
        }

        var globals = InventoryGlobals()
        let allVars = try variables(allPairs.first { $0.key == "vars" }?.value, reader: reader, what: "'all.vars'")
        guard let children = allPairs.first(where: { $0.key == "children" }) else {
            throw InputError(code: "OMS009", "the inventory has no 'children' (groups P, D and C)", at: reader.source.location(all.keyNode))
        }
        globals.childrenLocation = reader.source.location(children.keyNode)

        var tree = GroupTree(reader: reader) { node, what in try variables(node, reader: reader, what: what) }
        try tree.read(children: children.value)
        for (index, group) in tree.groups.enumerated() {
            if group.parent == nil { globals.groupLocations[group.role] = group.location }
            globals.groups.append(InventoryGroup(name: group.name, role: group.role, parent: group.parent.map { tree.groups[$0].name },
                                                 members: tree.members(of: index).map { tree.hosts[$0].name },
                                                 location: group.location))
        }
        for role in [Role.prefill, .decode] where !tree.hosts.contains(where: { tree.groups[$0.group].role == role }) {
            throw InputError(code: "OMS009", "group \(role.rawValue) is missing or has no hosts",
                             at: globals.groupLocations[role] ?? globals.childrenLocation,
                             hint: "the playbook needs at least one P host and one D host")
        }

        let groupsValue = tree.groupsValue
        let templates = TemplateCache()
        let globalScope = VariableScope(layers: [allVars], magic: ["groups": groupsValue], templates: templates)
        globals.etcdPort = try optionalPort("etcd_port", in: globalScope)
        globals.mooncakeMasterPort = try optionalPort("mooncake_master_port", in: globalScope)
        globals.mooncakeMetricsPort = try optionalPort("mooncake_metrics_port", in: globalScope)
        if let bind = globalScope.definition(of: "proc_bind_enabled") {
            globals.procBindEnabled = try bool(try globalScope.value(of: "proc_bind_enabled", at: bind.reader.source.location(bind.node)),
                                               "proc_bind_enabled", at: bind.reader.source.location(bind.node))
        }

        var hosts: [Host] = []
        hosts.reserveCapacity(tree.hosts.count)
        for index in tree.playOrder {
            let entry = tree.hosts[index]
            var hostVars: [String: VariableNode] = [:]
            hostVars.reserveCapacity(entry.pairs.count)
            for pair in entry.pairs {
                if !knownHostKeySet.contains(pair.key), let near = Spelling.closest(to: pair.key, in: knownHostKeys) {
                    throw InputError(code: "OMS003", "unknown key '\(pair.key)' for host '\(entry.name)'",
                                     at: reader.source.location(pair.keyNode), hint: "did you mean '\(near)'?")
                }
                hostVars[pair.key] = VariableNode(node: pair.value, reader: reader)
            }
            let chain = tree.chain(from: entry.group)
            let groupNames = tree.groupNames(of: entry)
            let scope = VariableScope(
                layers: [hostVars] + chain.map { tree.groups[$0].vars } + [allVars],
                magic: ["inventory_hostname": .string(entry.name), "group_names": .list(groupNames.map { .string($0) }),
                        "groups": groupsValue],
                templates: templates)
            var host = try HostBuilder(name: entry.name, role: tree.groups[chain.last!].role, location: entry.location, scope: scope).build()
            host.groupNames = groupNames
            hosts.append(host)
        }
        return Inventory(path: reader.source.path, hosts: hosts, globals: globals)
    }

    private static func variables(_ node: YAMLNode?, reader: NodeReader, what: String) throws -> [String: VariableNode] {
        guard let node else { return [:] }
        if node.isNull { return [:] }
        var result: [String: VariableNode] = [:]
        for pair in try reader.mapping(node, what: what) {
            if !knownGlobalKeys.contains(pair.key), let near = Spelling.closest(to: pair.key, in: knownGlobalKeys) {
                throw InputError(code: "OMS003", "unknown key '\(pair.key)' in \(what)", at: reader.source.location(pair.keyNode),
                                 hint: "did you mean '\(near)'?")
            }
            result[pair.key] = VariableNode(node: pair.value, reader: reader, shared: true)
        }
        return result
    }

    private static func optionalPort(_ name: String, in scope: VariableScope) throws -> LocatedInt? {
        guard let definition = scope.definition(of: name) else { return nil }
        let location = definition.reader.source.location(definition.node)
        let value = try scope.value(of: name, at: location)
        return LocatedInt(try port(value, name, at: location), at: location)
    }

    static func int(_ value: Value, _ name: @autoclosure () -> String, at location: SourceLocation) throws -> Int {
        switch value {
        case .int(let i): return i
        case .string(let s):
            if let i = Int(s.trimmingCharacters(in: .whitespaces)) { return i }
            throw InputError(code: "OMS002", "\(name()) must be an integer, found '\(s)'", at: location)
        default:
            throw InputError(code: "OMS002", "\(name()) must be an integer, found \(value.typeName) \(value)", at: location)
        }
    }

    static func port(_ value: Value, _ name: @autoclosure () -> String, at location: SourceLocation) throws -> Int {
        let number = try int(value, name(), at: location)
        guard (0...65535).contains(number) else {
            throw InputError(code: "OMS006", "\(name()) is \(number), not a TCP port (0-65535)", at: location)
        }
        return number
    }

    static func bool(_ value: Value, _ name: String, at location: SourceLocation) throws -> Bool {
        switch value {
        case .bool(let b): return b
        case .string(let s) where ["true", "yes"].contains(s.lowercased()): return true
        case .string(let s) where ["false", "no", ""].contains(s.lowercased()): return false
        default: throw InputError(code: "OMS002", "\(name) must be true or false, found \(value)", at: location)
        }
    }
}
