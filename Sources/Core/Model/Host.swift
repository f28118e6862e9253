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

/// One inventory host: one machine in one role.
public struct Host: Sendable, Hashable {
    public var name: String
    public var role: Role
    /// `ansible_host`: the SSH target and the node's identity in file names and server lists.
    public var address: String
    public var nodeRank: Int
    /// P only: index of the P instance.
    public var kvRank: Int?
    /// P and D: address of the instance's master node.
    public var hostIP: String?
    /// P and D: the raw `ascend_rt_visible_devices` string, e.g. "0,1,2,3".
    public var deviceString: String?
    public var nodePort: Int
    public var apiPort: Int?
    /// Super-node id, when the inventory or scenario gives one (add-node precondition).
    public var superNode: String?
    public var ssh: SSHSettings
    /// Where the host is declared in the inventory.
    public var location: SourceLocation?
    /// Where each inventory field of this host is written (host, group or global vars).
    public var fieldLocations: [String: SourceLocation] = [:]

    public init(name: String, role: Role, address: String, nodeRank: Int = 0, kvRank: Int? = nil,
                hostIP: String? = nil, deviceString: String? = nil, nodePort: Int, apiPort: Int? = nil,
                superNode: String? = nil, ssh: SSHSettings = SSHSettings(), location: SourceLocation? = nil) {
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
    }

    /// Device ids split on commas, as the seed's scripts split them (empty items kept as "").
    public var deviceIDs: [String] {
        guard let deviceString else { return [] }
        return deviceString.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Number of commas plus one: the seed's device count.
    public var deviceCount: Int {
        guard let deviceString else { return 0 }
        return deviceString.filter { $0 == "," }.count + 1
    }

    /// Device ids with commas and spaces removed, as used in ranktable file names.
    public var joinedDevices: String {
        (deviceString ?? "").filter { $0 != "," && $0 != " " }
    }

    /// The location of `field` if known, else the host's own.
    public func location(of field: String) -> SourceLocation? { fieldLocations[field] ?? location }

    /// A master node leads its instance: its `host_ip` is its own address.
    public var isMaster: Bool { hostIP == address }
}
