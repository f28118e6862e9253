import Foundation

/// Reads an Ansible YAML inventory in the reference playbook's format (groups P, D and C under `all.children`) into
/// typed hosts, evaluating the Jinja expressions in its values.
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

        // Groups in file order, then their hosts in file order: Ansible's host order.
        var groupVars: [Role: [String: VariableNode]] = [:]
        var declared: [(name: String, role: Role, pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)], location: SourceLocation)] = []
        var seenHosts: [String: SourceLocation] = [:]
        for group in try reader.mapping(children.value, what: "'children'") {
            guard let role = Role(rawValue: group.key) else {
                let hint = Spelling.closest(to: group.key, in: ["P", "D", "C"]).map { "did you mean '\($0)'?" }
                    ?? "the playbook knows only the groups P (prefill), D (decode) and C (proxy)"
                throw InputError(code: "OMS003", "unknown group '\(group.key)'", at: reader.source.location(group.keyNode), hint: hint)
            }
            globals.groupLocations[role] = reader.source.location(group.keyNode)
            let groupPairs = try reader.mapping(group.value, what: "group '\(group.key)'")
            try reader.checkKeys(groupPairs, known: ["hosts", "vars"], what: "group '\(group.key)'")
            groupVars[role] = try variables(groupPairs.first { $0.key == "vars" }?.value, reader: reader, what: "'\(group.key).vars'")
            guard let hosts = groupPairs.first(where: { $0.key == "hosts" }) else { continue }
            if hosts.value.isNull { continue }
            for host in try reader.mapping(hosts.value, what: "the hosts of group '\(group.key)'") {
                let location = reader.source.location(host.keyNode)
                if let first = seenHosts[host.key] {
                    throw InputError(code: "OMS005", "host '\(host.key)' is declared twice (first at \(first))", at: location,
                                     hint: "host names go into container and log names and must be unique")
                }
                seenHosts[host.key] = location
                let pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)]
                if host.value.isNull {
                    pairs = []
                } else {
                    pairs = try reader.mapping(host.value, what: "host '\(host.key)'")
                }
                declared.append((host.key, role, pairs, location))
            }
        }
        for role in [Role.prefill, .decode] where !declared.contains(where: { $0.role == role }) {
            throw InputError(code: "OMS009", "group \(role.rawValue) is missing or has no hosts",
                             at: globals.groupLocations[role] ?? globals.childrenLocation,
                             hint: "the playbook needs at least one P host and one D host")
        }

        let groupsValue: Value = .map(Dictionary(uniqueKeysWithValues: Role.allCases.map { role in
            (role.rawValue, Value.list(declared.filter { $0.role == role }.map { .string($0.name) }))
        }))
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
        hosts.reserveCapacity(declared.count)
        for entry in declared {
            var hostVars: [String: VariableNode] = [:]
            hostVars.reserveCapacity(entry.pairs.count)
            for pair in entry.pairs {
                if !knownHostKeySet.contains(pair.key), let near = Spelling.closest(to: pair.key, in: knownHostKeys) {
                    throw InputError(code: "OMS003", "unknown key '\(pair.key)' for host '\(entry.name)'",
                                     at: reader.source.location(pair.keyNode), hint: "did you mean '\(near)'?")
                }
                hostVars[pair.key] = VariableNode(node: pair.value, reader: reader)
            }
            let scope = VariableScope(
                layers: [hostVars, groupVars[entry.role] ?? [:], allVars],
                magic: ["inventory_hostname": .string(entry.name), "group_names": .list([.string(entry.role.rawValue)]),
                        "groups": groupsValue],
                templates: templates)
            hosts.append(try HostBuilder(name: entry.name, role: entry.role, location: entry.location, scope: scope).build())
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
