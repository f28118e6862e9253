/// The three inventory groups of the P/D-disaggregated deployment.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case prefill = "P"
    case decode = "D"
    case proxy = "C"

    /// Hashes the case, not its raw string: roles are looked up for every host of every step.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .prefill: hasher.combine(0 as UInt8)
        case .decode: hasher.combine(1 as UInt8)
        case .proxy: hasher.combine(2 as UInt8)
        }
    }
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

/// One inventory host: one machine in one role. The fields live in one shared, copy-on-write box, so
/// passing a host around (every step, every task) costs one reference count instead of one per field.
public struct Host: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var name: String
        var role: Role
        var address: String
        var nodeRank: Int
        var kvRank: Int?
        var hostIP: String?
        var deviceString: String? { didSet { deviceIDs = Fields.ids(in: deviceString) } }
        /// `deviceString` split, kept with it: every step on a host reads the ids.
        var deviceIDs: [String]
        var nodePort: Int
        var apiPort: Int?
        var superNode: String?
        var ssh: SSHSettings
        var location: SourceLocation?
        var fieldLocations: [String: SourceLocation]

        static func ids(in devices: String?) -> [String] {
            guard var devices else { return [] }
            return devices.withUTF8 { bytes in
                var ids: [String] = []
                var start = 0
                for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: ",") {
                    ids.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                    start = i + 1
                }
                return ids
            }
        }
    }

    private var box: SharedBox<Fields>

    public var name: String {
        get { box.value.name }
        set { box.value.name = newValue }
    }
    public var role: Role {
        get { box.value.role }
        set { box.value.role = newValue }
    }
    /// `ansible_host`: the SSH target and the node's identity in file names and server lists.
    public var address: String {
        get { box.value.address }
        set { box.value.address = newValue }
    }
    public var nodeRank: Int {
        get { box.value.nodeRank }
        set { box.value.nodeRank = newValue }
    }
    /// P only: index of the P instance.
    public var kvRank: Int? {
        get { box.value.kvRank }
        set { box.value.kvRank = newValue }
    }
    /// P and D: address of the instance's master node.
    public var hostIP: String? {
        get { box.value.hostIP }
        set { box.value.hostIP = newValue }
    }
    /// P and D: the raw `ascend_rt_visible_devices` string, e.g. "0,1,2,3".
    public var deviceString: String? {
        get { box.value.deviceString }
        set { box.value.deviceString = newValue }
    }
    public var nodePort: Int {
        get { box.value.nodePort }
        set { box.value.nodePort = newValue }
    }
    public var apiPort: Int? {
        get { box.value.apiPort }
        set { box.value.apiPort = newValue }
    }
    /// Super-node id, when the inventory or scenario gives one (add-node precondition).
    public var superNode: String? {
        get { box.value.superNode }
        set { box.value.superNode = newValue }
    }
    public var ssh: SSHSettings {
        get { box.value.ssh }
        set { box.value.ssh = newValue }
    }
    /// Where the host is declared in the inventory.
    public var location: SourceLocation? {
        get { box.value.location }
        set { box.value.location = newValue }
    }
    /// Where each inventory field of this host is written (host, group or global vars).
    public var fieldLocations: [String: SourceLocation] {
        get { box.value.fieldLocations }
        set { box.value.fieldLocations = newValue }
    }

    public init(name: String, role: Role, address: String, nodeRank: Int = 0, kvRank: Int? = nil,
                hostIP: String? = nil, deviceString: String? = nil, nodePort: Int, apiPort: Int? = nil,
                superNode: String? = nil, ssh: SSHSettings = SSHSettings(), location: SourceLocation? = nil,
                fieldLocations: [String: SourceLocation] = [:]) {
        box = SharedBox(Fields(name: name, role: role, address: address, nodeRank: nodeRank, kvRank: kvRank, hostIP: hostIP,
                         deviceString: deviceString, deviceIDs: Fields.ids(in: deviceString), nodePort: nodePort, apiPort: apiPort,
                         superNode: superNode, ssh: ssh, location: location, fieldLocations: fieldLocations))
    }

    public static func == (a: Host, b: Host) -> Bool { a.box == b.box }

    public func hash(into hasher: inout Hasher) { hasher.combine(box) }

    /// Device ids split on commas, as the seed's scripts split them (empty items kept as "").
    public var deviceIDs: [String] { box.value.deviceIDs }

    /// Number of commas plus one: the seed's device count.
    public var deviceCount: Int {
        guard let deviceString else { return 0 }
        return deviceString.utf8.reduce(1) { $1 == UInt8(ascii: ",") ? $0 + 1 : $0 }
    }

    /// Device ids with commas and spaces removed, as used in ranktable file names.
    public var joinedDevices: String {
        guard let deviceString else { return "" }
        return String(decoding: deviceString.utf8.filter { $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: " ") }, as: UTF8.self)
    }

    /// The location of `field` if known, else the host's own.
    public func location(of field: String) -> SourceLocation? { fieldLocations[field] ?? location }

    /// A master node leads its instance: its `host_ip` is its own address.
    public var isMaster: Bool { hostIP == address }
}
