/// A static check of the cluster. Each rule has a stable code and checks a list of subjects (hosts,
/// machines or the whole cluster); a subject without findings passes.
public protocol Rule: Sendable {
    var code: String { get }
    var title: String { get }
    var area: RuleArea { get }
    /// What the rule looks at, in a stable order; each becomes one JUnit test case.
    func subjects(_ cluster: Cluster) -> [String]
    func check(_ cluster: Cluster) -> [Finding]
}

public enum RuleArea: String, Sendable, CaseIterable, Codable {
    case inventory, topology, devices, ports, lmcache, proxy
}

/// One problem a rule found.
public struct Finding: Sendable, Hashable, Codable {
    public var code: String
    public var severity: Severity
    public var subject: String
    public var message: String
    public var hint: String?
    public var location: SourceLocation?

    public init(code: String, severity: Severity = .error, subject: String, message: String, hint: String? = nil,
                location: SourceLocation? = nil) {
        self.code = code
        self.severity = severity
        self.subject = subject
        self.message = message
        self.hint = hint
        self.location = location
    }

    public var diagnostic: Diagnostic {
        Diagnostic(code: code, severity: severity, message: message, location: location, hint: hint)
    }
}

extension Rule {
    /// Most rules look at each host of the roles they care about.
    func hostNames(_ cluster: Cluster, _ roles: Set<Role>) -> [String] {
        cluster.hosts.filter { roles.contains($0.role) }.map(\.name)
    }

    func finding(_ subject: String, _ message: String, hint: String? = nil, at location: SourceLocation?,
                 severity: Severity = .error) -> Finding {
        Finding(code: code, severity: severity, subject: subject, message: message, hint: hint, location: location)
    }
}

/// Every rule omnisim runs, in report order.
public enum RuleSet {
    public static let all: [any Rule] = [
        ProxyGroupRule(), PrefillFirstRule(), DecodeMasterFirstRule(), DecodeHostIPRule(),
        PrefillFollowerOrderRule(), PrefillInstancePerMachineRule(), KVRankRule(),
        DeviceFormatRule(), DeviceDuplicateRule(), SharedMachineDeviceRule(), RanktableNameRule(), DecodeTensorParallelRule(),
        PortCollisionRule(), PortRangeRule(), ProxyPortRule(), LMCachePortsRule(),
        BalancerRule(), ConnectorRule(), SafeValuesRule(),
        ElasticDecodeGroupRule(), ElasticDecodeKVRankRule(), ElasticPrefillDecodeListRule(), ElasticConnectorRule(),
        ElasticMultiNodePrefillRule(), OmniProxyFlavourRule(),
        A3LMCachePortsRule(), A3PrefillBCodeRule(), A3PipLogRule(),
    ]

    /// Runs every rule; findings come out in rule order, then subject order.
    public static func check(_ cluster: Cluster) -> [Finding] {
        all.flatMap { $0.check(cluster) }
    }
}
