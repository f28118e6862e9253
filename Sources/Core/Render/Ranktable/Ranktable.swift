/// The ranktable files of the reference playbook's `pd_ranktable_tools.py`: `gen` per host, `merge-local` for multi-node
/// instances, `merge-all` for the global ranktable. Output is byte-identical to the tool's
/// `json.dump(..., indent=4)`; which fields are strings and which are integers follows the tool.
public enum Ranktable {
    public struct ToolError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    static let header: [(String, JSONValue)] = [("version", .string("1.0")), ("status", .string("completed"))]

    /// `--mode gen`: the per-host global file, one local file per device list, and with `apiServer` the
    /// `_host` file. `deviceIP` answers what `hccn_tool -i <id> -ip -g` reports, nil when it prints nothing.
    public static func gen(serverIP: String, prefillLists: [[String]], decodeLists: [[String]], apiServer: Bool,
                           deviceIP: (String) -> String?) throws -> [File] {
        let lists = prefillLists + decodeLists
        if let id = (lists.count == 1 ? lists[0] : Array(lists.joined())).firstRepeated() {
            throw ToolError("ValueError: A device_id can be used only once. (device \(id))")
        }
        let serverIPValue = JSONValue.string(serverIP)
        func server(_ list: [String]) throws -> JSONValue {
            var devices: [JSONValue] = []
            devices.reserveCapacity(list.count)
            for (rank, id) in list.enumerated() {
                guard let ip = deviceIP(id) else {
                    throw ToolError("IndexError: list index out of range (hccn_tool -i \(id) -ip -g printed no address)")
                }
                devices.append(.object([("device_id", .string(id)), ("device_ip", .string(ip)), ("rank_id", rankText(rank))]))
            }
            return .object([("server_id", serverIPValue), ("server_ip", serverIPValue), ("device", .array(devices))])
        }
        let hostServer: JSONValue = .object([("server_id", serverIPValue), ("server_ip", serverIPValue)])
        var groups: [JSONValue] = []
        if apiServer {
            groups.append(.object([("group_id", .string("0")), ("server_count", .string("1")), ("server_list", .array([hostServer]))]))
        }
        // Each device list's server entry appears in the global file and again in its local file.
        var servers: [JSONValue] = []
        servers.reserveCapacity(lists.count)
        for list in lists { servers.append(try server(list)) }
        for (groupID, range) in [("1", 0..<prefillLists.count), ("2", prefillLists.count..<servers.count)] where !range.isEmpty {
            groups.append(.object([("group_id", .string(groupID)), ("server_count", .string(String(range.count))),
                                   ("server_list", .array(Array(servers[range])))]))
        }
        var files: [File] = []
        files.reserveCapacity(lists.count + 2)
        files.append(File(fileName: RanktableNames.global(address: serverIP),
                          document: document(("server_group_list", .array(groups)))))
        for (list, server) in zip(lists, servers) {
            let local = document(("group_id", .string("0")), ("server_count", .string("1")), ("server_list", .array([server])))
            var joined: [UInt8] = []
            for id in list { joined.append(contentsOf: id.utf8) }
            files.append(File(fileName: RanktableNames.local(address: serverIP, joinedDevices: String(decoding: joined, as: UTF8.self)),
                              document: local))
        }
        if apiServer {
            let host = document(("group_id", .string("0")), ("server_count", .string("1")), ("server_list", .array([hostServer])))
            files.append(File(fileName: RanktableNames.host(address: serverIP), document: host))
        }
        return files
    }

    /// Rank ids as the tool writes them (strings); the usual ones made once.
    private static let rankTexts = (0..<64).map { JSONValue.string(String($0)) }
    private static func rankText(_ rank: Int) -> JSONValue { rank < rankTexts.count ? rankTexts[rank] : .string(String(rank)) }

    /// An object of the tool's header fields followed by `fields`.
    private static func document(_ fields: (String, JSONValue)...) -> JSONValue {
        var pairs = header
        pairs.reserveCapacity(header.count + fields.count)
        pairs.append(contentsOf: fields)
        return .object(pairs)
    }

    /// `--mode merge-local` on file texts.
    public static func mergeLocal(_ files: [String]) throws -> String {
        try mergeLocal(files.map(JSONValue.parse)).printed()
    }

    /// `--mode merge-local`: the first server of each file, devices renumbered with one running rank.
    public static func mergeLocal(_ documents: [JSONValue]) throws -> JSONValue {
        guard documents.count >= 2 else { throw ToolError("ValueError: Ensure that there are two local ranktable for merge mode.") }
        var rank = 0
        var servers: [JSONValue] = []
        for document in documents {
            guard case .array(let list)? = document["server_list"], case .object(var server)? = list.first else {
                throw ToolError("KeyError: 'server_list'")
            }
            if let i = server.firstIndex(where: { $0.0 == "device" }), case .array(let devices) = server[i].1 {
                server[i].1 = .array(devices.map { device in
                    guard case .object(var fields) = device else { return device }
                    defer { rank += 1 }
                    let renumbered = rankText(rank)
                    guard let r = fields.firstIndex(where: { $0.0 == "rank_id" }), fields[r].1 != renumbered else { return device }
                    fields[r].1 = renumbered
                    return .object(fields)
                })
            }
            servers.append(.object(server))
        }
        return document(("group_id", .string("0")), ("server_count", .int(servers.count)), ("server_list", .array(servers)))
    }

    /// `--mode merge-all` on file texts.
    public static func mergeAll(prefill: [String], decode: [String]) throws -> String {
        try mergeAll(prefill: prefill.map(JSONValue.parse), decode: decode.map(JSONValue.parse)).printed()
    }

    /// `--mode merge-all`: one group per prefill file, then per decode file, server lists copied verbatim.
    /// The API-server files the playbook also passes are dropped, as the tool's shadowed variable drops them.
    public static func mergeAll(prefill: [JSONValue], decode: [JSONValue]) throws -> JSONValue {
        guard !prefill.isEmpty, !decode.isEmpty else { throw ToolError("ValueError: prefill and decode server lists are required") }
        var groups: [JSONValue] = []
        groups.reserveCapacity(prefill.count + decode.count)
        for document in prefill + decode {
            guard case .array(let servers)? = document["server_list"] else { throw ToolError("KeyError: 'server_list'") }
            groups.append(.object([("group_id", .string(String(groups.count))), ("server_count", .int(servers.count)),
                                   ("server_list", .array(servers))]))
        }
        return document(("server_group_list", .array(groups)))
    }

    /// One file the tool writes: its name and its document.
    public struct File: Sendable {
        public let fileName: String
        public let document: JSONValue
        /// The text the tool writes, without the trailing newline.
        public var json: String { document.printed() }
    }
}
