/// Turns one host's resolved variables into a typed `Host`, with located errors for missing or
/// ill-typed fields.
struct HostBuilder {
    let name: String
    let role: Role
    let location: SourceLocation
    let scope: VariableScope

    func build() throws -> Host {
        var locations: [String: SourceLocation] = [:]
        locations.reserveCapacity(Self.locatedKeys.count)
        for key in Self.locatedKeys { if let loc = where_(key) { locations[key] = loc } }
        let address = try requiredString("ansible_host", locations)
        let nodeRank = try optionalInt("node_rank", range: 0...Int(Int32.max), locations) ?? 0
        let nodePort = try requiredPort("node_port", locations)
        let duty: Duty
        if role == .proxy {
            duty = .proxy
        } else {
            if role == .prefill && locations["node_rank"] == nil { throw missing("node_rank") }
            var kvRank = 0
            if role == .prefill {
                guard let kv = try optionalInt("kv_rank", range: 0...Int(Int32.max), locations) else { throw missing("kv_rank") }
                kvRank = kv
            }
            let server = ServerPlacement(hostIP: try requiredString("host_ip", locations),
                                         devices: try requiredString("ascend_rt_visible_devices", locations),
                                         apiPort: try requiredPort("api_port", locations))
            duty = role == .prefill ? .prefill(server, kvRank: kvRank) : .decode(server)
        }
        let superNode = try optionalString("super_node", locations)
        let ssh = SSHSettings(
            user: try optionalString("ansible_user") ?? "root",
            port: try optionalInt("ansible_port", range: 1...65535) ?? 22,
            privateKeyFile: try optionalString("ansible_ssh_private_key_file"),
            password: try (optionalString("ansible_password") ?? optionalString("ansible_ssh_pass")).map(Secret.init),
            commonArgs: try optionalString("ansible_ssh_common_args"))
        return Host(name: name, address: address, nodeRank: nodeRank, nodePort: nodePort, duty: duty, superNode: superNode,
                    ssh: ssh, location: location, fieldLocations: locations)
    }

    /// Fields whose source location each host keeps, for located findings.
    private static let locatedKeys = ["ansible_host", "node_rank", "kv_rank", "node_port", "api_port", "host_ip",
                                      "ascend_rt_visible_devices", "super_node"]

    private func where_(_ key: String) -> SourceLocation? {
        guard let definition = scope.definition(of: key) else { return nil }
        return definition.reader.source.contentLocation(definition.node)
    }

    private func missing(_ key: String) -> InputError {
        let role = ["P": "prefill", "D": "decode", "C": "proxy"][self.role.rawValue]!
        return InputError(code: "OMS004", "\(role) host '\(name)' has no '\(key)'", at: location)
    }

    /// The value of `key` and where it is written; `known` holds locations already looked up.
    private func value(_ key: String, _ known: [String: SourceLocation]? = nil) throws -> (Value, SourceLocation)? {
        guard let loc = known.map({ $0[key] }) ?? where_(key) else { return nil }
        guard let value = try scope.resolve(key, at: loc) else { return nil }
        return (value, loc)
    }

    private func requiredString(_ key: String, _ known: [String: SourceLocation]? = nil) throws -> String {
        guard let s = try optionalString(key, known) else { throw missing(key) }
        return s
    }

    private func optionalString(_ key: String, _ known: [String: SourceLocation]? = nil) throws -> String? {
        guard let (value, loc) = try value(key, known) else { return nil }
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .none: return nil
        default: throw InputError(code: "OMS002", "'\(key)' of host '\(name)' must be a string, found \(value.typeName)", at: loc)
        }
    }

    private func optionalInt(_ key: String, range: ClosedRange<Int>, _ known: [String: SourceLocation]? = nil) throws -> Int? {
        guard let (value, loc) = try value(key, known) else { return nil }
        if case .none = value { return nil }
        let number = try InventoryLoader.int(value, "'\(key)' of host '\(name)'", at: loc)
        guard range.contains(number) else {
            throw InputError(code: "OMS006", "'\(key)' of host '\(name)' is \(number), outside \(range.lowerBound)...\(range.upperBound)", at: loc)
        }
        return number
    }

    private func requiredPort(_ key: String, _ known: [String: SourceLocation]? = nil) throws -> Int {
        guard let (value, loc) = try value(key, known) else { throw missing(key) }
        return try InventoryLoader.port(value, "'\(key)' of host '\(name)'", at: loc)
    }
}
