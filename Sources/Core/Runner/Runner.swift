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

    public var host: String
    public var status: Status
    public var message: String?
    public var operations: [Operation]
    public var records: [OperationRecord]
    public var duration: Double

    public var isFailure: Bool { if case .failed = status { true } else { false } }
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

/// Runs steps on a backend with the reference playbook's semantics: linear (every host finishes a step before the next
/// starts), inventory host order, and any_errors_fatal (a failed host stops the whole play once the
/// current step has finished everywhere).
public final class Runner {
    /// Stands for the executor in results and reports of the steps that run once on it.
    public static let executor = Host(name: "localhost", address: "localhost", nodePort: 0, duty: .proxy)

    public let cluster: Cluster
    public let steps: [Step]
    public let options: RunOptions
    private let backend: Backend
    private let renderer: StepRenderer
    private var facts: [String: HostFacts] = [:]
    private var hostsBySelector: [HostSelector: [Host]] = [:]
    /// Called after each step, e.g. to print progress.
    public var onStep: ((StepRun) -> Void)?
    /// Checked before each step; returning true stops the run (interrupts).
    public var shouldStop: () -> Bool = { false }
    /// Time of the first step, for runs that continue an earlier one on the same backend.
    public var startTime: Double = 0

    public init(cluster: Cluster, steps: [Step], backend: Backend, options: RunOptions = RunOptions()) {
        self.cluster = cluster
        self.steps = steps
        self.backend = backend
        self.options = options
        self.renderer = StepRenderer(cluster: cluster)
    }

    public func run() -> RunResult {
        var result = RunResult(steps: [], failure: nil)
        var clock = startTime
        for step in connectStep().map({ [$0] + steps }) ?? steps {
            if let failure = result.failure {
                let reason = "not run: the play stopped after '\(failure.step.id)' failed on \(failure.host)"
                result.steps.append(StepRun(step: step, results: hosts(for: step).map(\.name).map { skipped($0, reason) },
                                            startedAt: clock, duration: 0))
                continue
            }
            if shouldStop() {
                result.failure = (step, "all", "interrupted before this step")
                result.steps.append(StepRun(step: step, results: [HostStepResult(host: "all", status: .failed(.interrupted),
                    message: "interrupted", operations: [], records: [], duration: 0)], startedAt: clock, duration: 0))
                continue
            }
            let run = perform(step, at: clock)
            clock += run.duration
            if let failed = run.results.first(where: \.isFailure) {
                result.failure = (step, failed.host, failed.message ?? "failed")
            }
            result.steps.append(run)
            onStep?(run)
        }
        backend.close()
        return result
    }

    /// The id of the step that connects to every targeted host before the first step.
    public static let connectStepID = "connect"

    /// Connects to every host that a selected step may target, like ansible's fact gathering: a host that
    /// cannot be reached, or whose key does not match, stops the run before any host has been changed.
    /// Hosts picked by a condition on registered facts (add-node's new hosts) count as targeted. It runs
    /// under any tag selection; nil when no selected step reaches a host.
    func connectStep() -> Step? {
        var names = Set<String>()
        for step in steps where step.hosts != .executorOnce && step.action.needsConnection && step.disabledReason == nil
            && step.selected(tags: options.tags, skipTags: options.skipTags) {
            for host in cluster.hosts where options.limit?.contains(host.name) ?? true {
                if step.hosts.matches(host, in: cluster, isNew: { _ in true }) { names.insert(host.name) }
            }
        }
        guard !names.isEmpty else { return nil }
        return Step(id: Self.connectStepID, name: "connect to every targeted host and check its host key", tags: ["always"],
                    hosts: .named(names), action: .connect, timeout: 120)
    }

    /// The hosts a step's selector picks, limited by `--limit`, in inventory order.
    func hosts(for step: Step) -> [Host] {
        if step.hosts == .executorOnce { return [Self.executor] }
        // Only the add-node selector depends on what earlier steps registered; the others pick the same
        // hosts every time.
        let fixed = !step.hosts.dependsOnFacts
        if fixed, let known = hostsBySelector[step.hosts] { return known }
        let hosts = cluster.hosts.filter { host in
            (options.limit?.contains(host.name) ?? true)
                && step.hosts.matches(host, in: cluster, isNew: { facts[$0.name]?.existingContainers?.isEmpty ?? true })
        }
        if fixed { hostsBySelector[step.hosts] = hosts }
        return hosts
    }

    private func skipped(_ host: String, _ reason: String) -> HostStepResult {
        HostStepResult(host: host, status: .skipped(reason), message: nil, operations: [], records: [], duration: 0)
    }

    private func perform(_ step: Step, at clock: Double) -> StepRun {
        let targets = hosts(for: step)
        // The connection check is not a playbook task: tag selections do not skip it.
        guard step.action == .connect || step.selected(tags: options.tags, skipTags: options.skipTags) else {
            let reason = "tags [\(step.tags.joined(separator: ", "))] not selected"
            return StepRun(step: step, results: targets.map { skipped($0.name, reason) }, startedAt: clock, duration: 0)
        }
        if let reason = step.disabledReason {
            return StepRun(step: step, results: targets.map { skipped($0.name, reason) }, startedAt: clock, duration: 0)
        }
        // Results in host order; hosts with operations get theirs once the backend has performed them.
        var results: [HostStepResult] = []
        results.reserveCapacity(targets.count)
        var tasks: [HostTask] = []
        var slots: [Int] = []
        for host in targets {
            switch renderer.render(step, on: host, facts: facts[host.name] ?? HostFacts()) {
            case .skip(let reason):
                results.append(skipped(host.name, reason))
            case .fail(let message):
                results.append(HostStepResult(host: host.name, status: step.neverFails ? .ignoredFailure : .failed(.failed),
                                              message: message, operations: [], records: [], duration: 0))
            case .operations(let ops):
                tasks.append(HostTask(step: step, host: host, operations: ops, timeout: step.timeout, onExecutor: step.hosts == .executorOnce))
                slots.append(results.count)
                results.append(Self.pending)
            }
        }
        let outcomes = tasks.isEmpty ? [] : backend.perform(tasks)
        let registers = Self.registersOutput(step.action)
        var duration = 0.0
        for (k, outcome) in outcomes.enumerated() {
            let task = tasks[k]
            if registers { register(step, host: task.host, outcome: outcome) }
            // As in ansible, `failed_when: false` does not cover a host that cannot be reached: it stops the
            // play, so no later step asks the backend for it again.
            let ignored = step.neverFails && outcome.status != .unreachable
            let status: HostStepResult.Status = outcome.status == .ok ? .ok : ignored ? .ignoredFailure : .failed(outcome.status)
            results[slots[k]] = HostStepResult(host: task.host.name, status: status, message: outcome.message,
                                               operations: task.operations, records: outcome.records, duration: outcome.duration)
            duration = max(duration, outcome.duration)
        }
        return StepRun(step: step, results: results, startedAt: clock, duration: duration)
    }

    /// Stands in for a result until the backend reports it.
    private static let pending = HostStepResult(host: "", status: .ok, message: nil, operations: [], records: [], duration: 0)

    /// Whether a step's output is registered as a fact for later steps.
    private static func registersOutput(_ action: StepAction) -> Bool {
        switch action {
        case .detectInterface, .findLocalRanktables, .inspectContainers: return true
        default: return false
        }
    }

    /// Stores what a step registers, from the output of its last operation.
    private func register(_ step: Step, host: Host, outcome: HostOutcome) {
        guard outcome.status == .ok, let output = outcome.records.last?.stdout else { return }
        let lines = output.utf8.split(separator: UInt8(ascii: "\n")).map { Substring($0).trimmingSpaces }.filter { !$0.isEmpty }
        switch step.action {
        case .detectInterface:
            if let first = lines.first { facts[host.name, default: HostFacts()].defaultInterface = first }
        case .findLocalRanktables:
            facts[host.name, default: HostFacts()].foundRanktables = lines
        case .inspectContainers:
            facts[host.name, default: HostFacts()].existingContainers = lines
        default:
            break
        }
    }
}
