/// Which steps and hosts a run covers.
public struct RunOptions: Sendable {
    public var tags: Set<String> = []
    public var skipTags: Set<String> = []
    /// Host names to restrict the run to; nil means every host.
    public var limit: Set<String>?

    public init(tags: Set<String> = [], skipTags: Set<String> = [], limit: Set<String>? = nil) {
        self.tags = tags
        self.skipTags = skipTags
        self.limit = limit
    }

    /// The first `--tags`/`--skip-tags` value no step of `flavour` carries, as an error message; nil when
    /// every tag is known.
    public func unknownTag(in flavour: Flavour) -> String? {
        if flavour == .elastic && tags.contains("delete_node") {
            // The template's own scale-in block adds the leaving IPs to a group no host of the play is in, so
            // it stops nothing, after restarting the proxy; it also needs `-e delete_node_ip=…`.
            return "the elastic template's delete_node block stops nothing (it adds the leaving IPs to a group that no host of the play is in); use `omnisim remove-node`, which follows the template's README"
        }
        let known = flavour.knownTags
        guard let tag = tags.union(skipTags).sorted().first(where: { !known.contains($0) }) else { return nil }
        return "unknown tag '\(tag)' for the \(flavour.rawValue) flavour (\(flavour.templateName)); known tags: \(known.joined(separator: ", "))"
    }
}

/// What happened to one step on one host.
public struct HostStepResult: Sendable {
    public enum Status: Sendable, Hashable {
        case ok
        /// Failed, and the failure stops the play.
        case failed(HostStatus)
        /// Failed, but the step never fails (`failed_when: false`).
        case ignoredFailure
        case skipped(String)
    }

    /// The target's name: an inventory host's, or `localhost` for the executor.
    public var host: String
    /// Whether the result is the executor's rather than an inventory host's.
    public var onExecutor: Bool
    public var status: Status
    public var message: String?
    public var operations: [Operation]
    public var records: [OperationRecord]
    public var duration: Double

    public var isFailure: Bool { if case .failed = status { true } else { false } }

    public init(target: TaskTarget, status: Status, message: String? = nil, operations: [Operation] = [],
                records: [OperationRecord] = [], duration: Double = 0) {
        self.init(host: target.name, onExecutor: target.isExecutor, status: status, message: message,
                  operations: operations, records: records, duration: duration)
    }

    /// `host` may also name no target at all, as `all` does for an interrupted step.
    public init(host: String, onExecutor: Bool = false, status: Status, message: String? = nil, operations: [Operation] = [],
                records: [OperationRecord] = [], duration: Double = 0) {
        self.host = host
        self.onExecutor = onExecutor
        self.status = status
        self.message = message
        self.operations = operations
        self.records = records
        self.duration = duration
    }
}

/// One step of a run and its per-host results.
public struct StepRun: Sendable {
    public var step: Step
    public var results: [HostStepResult]
    /// Virtual or real time at which the step started, seconds from the run's start.
    public var startedAt: Double
    public var duration: Double
}

/// The outcome of running a playbook.
public struct RunResult: Sendable {
    public var steps: [StepRun]
    /// The first failure that stopped the play, if any.
    public var failure: (step: Step, host: String, message: String)?

    public var succeeded: Bool { failure == nil }
    public var duration: Double { steps.last.map { $0.startedAt + $0.duration } ?? 0 }
}

