/// The three inventory groups of the P/D-disaggregated deployment.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case prefill = "P"
    case decode = "D"
    case proxy = "C"
}

/// How to reach a host over SSH, as the inventory says (`ansible_*` variables).
public struct SSHSettings: Sendable, Hashable {
    public var user: String
    public var port: Int
    public var privateKeyFile: String?
    /// A password from the inventory. Never printed; see `Secret`.
    public var password: Secret?
    public var commonArgs: String?

    public init(user: String = "root", port: Int = 22, privateKeyFile: String? = nil,
                password: Secret? = nil, commonArgs: String? = nil) {
        self.user = user
        self.port = port
        self.privateKeyFile = privateKeyFile
        self.password = password
        self.commonArgs = commonArgs
    }
}

/// A value that must never reach output: its description is a fixed mask.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "********" }
    public var debugDescription: String { "Secret(********)" }
}

/// What one NPU server host (P or D) is given: its instance's master, its devices and its API port.
public struct ServerPlacement: Sendable, Hashable {
    /// `host_ip`: the address of the instance's master node.
    public var hostIP: String
    /// The raw `ascend_rt_visible_devices` string, e.g. "0,1,2,3". The lists below are read from it
    /// once, when it is set.
    public var devices: String {
        didSet { (deviceIDs, joinedDevices) = Self.read(devices) }
    }
    /// `api_port`: the first port of the host's API servers.
    public var apiPort: Int
    /// Device ids split on commas, as the reference playbook's scripts split them (empty items kept as "").
    public private(set) var deviceIDs: [String]
    /// Device ids with commas and spaces removed, as used in ranktable file names.
    public private(set) var joinedDevices: String

    public init(hostIP: String, devices: String, apiPort: Int) {
        self.hostIP = hostIP
        self.devices = devices
        self.apiPort = apiPort
        (deviceIDs, joinedDevices) = Self.read(devices)
    }

    /// Number of commas plus one: the reference playbook's device count.
    public var deviceCount: Int { deviceIDs.count }

    // The reference playbook's scripts read the list character by character as bash does (no grapheme
    // clusters). Comma and space are ASCII, which UTF-8 never uses inside a multi-byte character, so
    // splitting the bytes splits the characters.
    private static func read(_ devices: String) -> (ids: [String], joined: String) {
        let bytes = devices.utf8
        let ids = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { String(Substring($0)) }
        let joined = String(decoding: bytes.filter { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: " ") }, as: UTF8.self)
        return (ids, joined)
    }
}

/// A host's part in the deployment. Only P and D hosts run NPU servers; only P hosts carry a kv rank (the
/// index of their P instance).
public enum Duty: Sendable, Hashable {
    case prefill(ServerPlacement, kvRank: Int)
    case decode(ServerPlacement)
    case proxy

    public var role: Role {
        switch self {
        case .prefill: return .prefill
        case .decode: return .decode
        case .proxy: return .proxy
        }
    }
}

/// One inventory host: one machine in one role.
public struct Host: Sendable, Hashable {
    public var name: String
    /// `ansible_host`: the SSH target and the node's identity in file names and server lists.
    public var address: String
    public var nodeRank: Int
    public var nodePort: Int
    public var duty: Duty
    /// Super-node id, when the inventory or scenario gives one (add-node precondition).
    public var superNode: String?
    public var ssh: SSHSettings
    /// Where the host is declared in the inventory.
    public var location: SourceLocation?
    /// Where each inventory field of this host is written (host, group or global vars).
    public var fieldLocations: [String: SourceLocation]
    /// `group_names`: every inventory group the host is in, nested groups included, sorted.
    public var groupNames: [String] = []

    public init(name: String, address: String, nodeRank: Int = 0, nodePort: Int, duty: Duty, superNode: String? = nil,
                ssh: SSHSettings = SSHSettings(), location: SourceLocation? = nil,
                fieldLocations: [String: SourceLocation] = [:]) {
        self.name = name
        self.address = address
        self.nodeRank = nodeRank
        self.nodePort = nodePort
        self.duty = duty
        self.superNode = superNode
        self.ssh = ssh
        self.location = location
        self.fieldLocations = fieldLocations
        groupNames = [duty.role.rawValue]
    }

    public var role: Role { duty.role }

    /// The server placement of a P or D host; nil on C hosts. Setting it keeps the host's role and kv rank.
    public var server: ServerPlacement? {
        get {
            switch duty {
            case .prefill(let server, _), .decode(let server): return server
            case .proxy: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch duty {
            case .prefill(_, let kvRank): duty = .prefill(newValue, kvRank: kvRank)
            case .decode: duty = .decode(newValue)
            case .proxy: break
            }
        }
    }

    /// The kv rank of a P host; nil on D and C hosts.
    public var kvRank: Int? {
        if case .prefill(_, let kvRank) = duty { return kvRank }
        return nil
    }

    /// `host_ip` of a P or D host.
    public var hostIP: String? { server?.hostIP }
    /// `ascend_rt_visible_devices` of a P or D host.
    public var deviceString: String? { server?.devices }
    /// `api_port` of a P or D host.
    public var apiPort: Int? { server?.apiPort }
    public var deviceIDs: [String] { server?.deviceIDs ?? [] }
    /// Devices on the host; 0 on C hosts.
    public var deviceCount: Int { server?.deviceCount ?? 0 }
    public var joinedDevices: String { server?.joinedDevices ?? "" }

    /// The location of `field` if known, else the host's own.
    public func location(of field: String) -> SourceLocation? { fieldLocations[field] ?? location }

    /// A master node leads its instance: its `host_ip` is its own address.
    public var isMaster: Bool { hostIP == address }
}
