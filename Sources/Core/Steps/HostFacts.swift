/// Values registered by earlier steps, per host (ansible's `register`/`set_fact`).
public struct HostFacts: Sendable, Hashable {
    public var defaultInterface: String?
    /// Paths printed by `findLocalRanktables`.
    public var foundRanktables: [String]?
    /// Add-node: names printed by `inspectContainers` (empty: the host is new).
    public var existingContainers: [String]?

    public init() {}
}

/// The facts of every inventory host, filled from the output of the steps that register it.
public struct RegisteredFacts: Sendable {
    private var byHost: [String: HostFacts] = [:]

    public init() {}

    public subscript(host: String) -> HostFacts { byHost[host] ?? HostFacts() }

    /// Stores what a step of kind `action` printed on a host, one value per non-blank line. Actions that
    /// register nothing leave the facts as they are.
    public mutating func register(_ action: StepAction, output: String, for host: String) {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        switch action {
        case .detectInterface:
            if let first = lines.first { byHost[host, default: HostFacts()].defaultInterface = first }
        case .findLocalRanktables:
            byHost[host, default: HostFacts()].foundRanktables = lines
        case .inspectContainers:
            byHost[host, default: HostFacts()].existingContainers = lines
        default:
            break
        }
    }
}
