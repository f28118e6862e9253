/// Turns one host's resolved variables into a typed `Host`, with located errors for missing or
/// ill-typed fields.
struct HostBuilder {
    let name: String
    let role: Role
    let location: SourceLocation
    let scope: VariableScope

    func build() throws -> Host {
        let address = try requiredString("ansible_host")
        let nodeRank = try optionalInt("node_rank", range: 0...Int(Int32.max)) ?? 0
        var host = Host(name: name, role: role, address: address, nodeRank: nodeRank,
                        nodePort: try requiredPort("node_port"), location: location)
        if role == .prefill {
            if scope.definition(of: "node_rank") == nil { throw missing("node_rank") }
            guard let kv = try optionalInt("kv_rank", range: 0...Int(Int32.max)) else { throw missing("kv_rank") }
            host.kvRank = kv
        }
        if role != .proxy {
            host.hostIP = try requiredString("host_ip")
            host.deviceString = try requiredString("ascend_rt_visible_devices")
            host.apiPort = try requiredPort("api_port")
        }
        host.superNode = try optionalString("super_node")
        host.ssh = SSHSettings(
            user: try optionalString("ansible_user") ?? "root",
            port: try optionalInt("ansible_port", range: 1...65535) ?? 22,
            privateKeyFile: try optionalString("ansible_ssh_private_key_file"),
            password: try (optionalString("ansible_password") ?? optionalString("ansible_ssh_pass")).map(Secret.init),
            commonArgs: try optionalString("ansible_ssh_common_args"))
        for key in ["ansible_host", "node_rank", "kv_rank", "node_port", "api_port", "host_ip", "ascend_rt_visible_devices", "super_node"] {
            if let loc = where_(key) { host.fieldLocations[key] = loc }
        }
        return host
    }

    private func where_(_ key: String) -> SourceLocation? {
        guard let definition = scope.definition(of: key) else { return nil }
        return definition.reader.source.contentLocation(definition.node)
    }

    private func missing(_ key: String) -> InputError {
        let role = ["P": "prefill", "D": "decode", "C": "proxy"][self.role.rawValue]!
        return InputError(code: "OMS004", "\(role) host '\(name)' has no '\(key)'", at: location)
    }

    private func value(_ key: String) throws -> (Value, SourceLocation)? {
        guard let loc = where_(key) else { return nil }
        guard let value = try scope.resolve(key, at: loc) else { return nil }
        return (value, loc)
    }

    private func requiredString(_ key: String) throws -> String {
        guard let s = try optionalString(key) else { throw missing(key) }
        return s
    }

    private func optionalString(_ key: String) throws -> String? {
        guard let (value, loc) = try value(key) else { return nil }
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .none: return nil
        default: throw InputError(code: "OMS002", "'\(key)' of host '\(name)' must be a string, found \(value.typeName)", at: loc)
        }
    }

    private func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let (value, loc) = try value(key) else { return nil }
        if case .none = value { return nil }
        let number = try InventoryLoader.int(value, "'\(key)' of host '\(name)'", at: loc)
        guard range.contains(number) else {
            throw InputError(code: "OMS006", "'\(key)' of host '\(name)' is \(number), outside \(range.lowerBound)...\(range.upperBound)", at: loc)
        }
        return number
    }

    private func requiredPort(_ key: String) throws -> Int {
        guard let (value, loc) = try value(key) else { throw missing(key) }
        return try InventoryLoader.port(value, "'\(key)' of host '\(name)'", at: loc)
    }
}
