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

/// One inventory host: one machine in one role. The fields live in one shared, copy-on-write box, so
/// passing a host around (every step, every task) costs one reference count instead of one per field.
public struct Host: Sendable, Hashable {
    private final class Fields: @unchecked Sendable {
        var name: String
        var role: Role
        var address: String
        var nodeRank: Int
        var kvRank: Int?
        var hostIP: String?
        var deviceString: String?
        var nodePort: Int
        var apiPort: Int?
        var superNode: String?
        var ssh: SSHSettings
        var location: SourceLocation?
        var fieldLocations: [String: SourceLocation]

        init(name: String, role: Role, address: String, nodeRank: Int, kvRank: Int?, hostIP: String?, deviceString: String?,
             nodePort: Int, apiPort: Int?, superNode: String?, ssh: SSHSettings, location: SourceLocation?,
             fieldLocations: [String: SourceLocation]) {
            self.name = name
            self.role = role
            self.address = address
            self.nodeRank = nodeRank
            self.kvRank = kvRank
            self.hostIP = hostIP
            self.deviceString = deviceString
            self.nodePort = nodePort
            self.apiPort = apiPort
            self.superNode = superNode
            self.ssh = ssh
            self.location = location
            self.fieldLocations = fieldLocations
        }

        func copy() -> Fields {
            Fields(name: name, role: role, address: address, nodeRank: nodeRank, kvRank: kvRank, hostIP: hostIP,
                   deviceString: deviceString, nodePort: nodePort, apiPort: apiPort, superNode: superNode, ssh: ssh,
                   location: location, fieldLocations: fieldLocations)
        }
    }

    private var fields: Fields

    private var uniqueFields: Fields {
        mutating get {
            if !isKnownUniquelyReferenced(&fields) { fields = fields.copy() }
            return fields
        }
    }

        public var name: String {
        get { fields.name }
        set { uniqueFields.name = newValue }
    }
    public var role: Role {
        get { fields.role }
        set { uniqueFields.role = newValue }
    }
    /// `ansible_host`: the SSH target and the node's identity in file names and server lists.
    public var address: String {
        get { fields.address }
        set { uniqueFields.address = newValue }
    }
    public var nodeRank: Int {
        get { fields.nodeRank }
        set { uniqueFields.nodeRank = newValue }
    }
    /// P only: index of the P instance.
    public var kvRank: Int? {
        get { fields.kvRank }
        set { uniqueFields.kvRank = newValue }
    }
    /// P and D: address of the instance's master node.
    public var hostIP: String? {
        get { fields.hostIP }
        set { uniqueFields.hostIP = newValue }
    }
    /// P and D: the raw `ascend_rt_visible_devices` string, e.g. "0,1,2,3".
    public var deviceString: String? {
        get { fields.deviceString }
        set { uniqueFields.deviceString = newValue }
    }
    public var nodePort: Int {
        get { fields.nodePort }
        set { uniqueFields.nodePort = newValue }
    }
    public var apiPort: Int? {
        get { fields.apiPort }
        set { uniqueFields.apiPort = newValue }
    }
    /// Super-node id, when the inventory or scenario gives one (add-node precondition).
    public var superNode: String? {
        get { fields.superNode }
        set { uniqueFields.superNode = newValue }
    }
    public var ssh: SSHSettings {
        get { fields.ssh }
        set { uniqueFields.ssh = newValue }
    }
    /// Where the host is declared in the inventory.
    public var location: SourceLocation? {
        get { fields.location }
        set { uniqueFields.location = newValue }
    }
    /// Where each inventory field of this host is written (host, group or global vars).
    public var fieldLocations: [String: SourceLocation] {
        get { fields.fieldLocations }
        set { uniqueFields.fieldLocations = newValue }
    }

    public init(name: String, role: Role, address: String, nodeRank: Int = 0, kvRank: Int? = nil,
                hostIP: String? = nil, deviceString: String? = nil, nodePort: Int, apiPort: Int? = nil,
                superNode: String? = nil, ssh: SSHSettings = SSHSettings(), location: SourceLocation? = nil) {
        fields = Fields(name: name, role: role, address: address, nodeRank: nodeRank, kvRank: kvRank, hostIP: hostIP,
                        deviceString: deviceString, nodePort: nodePort, apiPort: apiPort, superNode: superNode, ssh: ssh,
                        location: location, fieldLocations: [:])
    }

    public static func == (a: Host, b: Host) -> Bool {
        if a.fields === b.fields { return true }
        return a.name == b.name && a.role == b.role && a.address == b.address && a.nodeRank == b.nodeRank
            && a.kvRank == b.kvRank && a.hostIP == b.hostIP && a.deviceString == b.deviceString && a.nodePort == b.nodePort
            && a.apiPort == b.apiPort && a.superNode == b.superNode && a.ssh == b.ssh && a.location == b.location
            && a.fieldLocations == b.fieldLocations
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(role)
        hasher.combine(address)
        hasher.combine(nodeRank)
        hasher.combine(kvRank)
        hasher.combine(hostIP)
        hasher.combine(deviceString)
        hasher.combine(nodePort)
        hasher.combine(apiPort)
        hasher.combine(superNode)
        hasher.combine(ssh)
        hasher.combine(location)
        hasher.combine(fieldLocations)
    }

    /// Device ids split on commas, as the seed's scripts split them (empty items kept as "").
    public var deviceIDs: [String] {
        guard let deviceString else { return [] }
        return deviceString.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { String($0)! }
    }

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
