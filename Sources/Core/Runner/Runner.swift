/// Runs steps on a backend with the reference playbook's semantics: linear (every host finishes a step before the next
/// starts), inventory host order, and any_errors_fatal (a failed host stops the whole play once the
/// current step has finished everywhere).
public final class Runner {
    public let cluster: Cluster
    public let steps: [Step]
    public let options: RunOptions
    private let backend: Backend
    private let renderer: StepRenderer
    private var facts = RegisteredFacts()
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

    /// The id of the step that connects to every targeted host before the first step.
    public static let connectStepID = ConnectStep.id

    public func run() -> RunResult {
        var result = RunResult(steps: [], failure: nil)
        var clock = startTime
        let connect = ConnectStep.make(for: steps, in: cluster, options: options)
        for step in connect.map({ [$0] + steps }) ?? steps {
            if let failure = result.failure {
                let reason = "not run: the play stopped after '\(failure.step.id)' failed on \(failure.host)"
                result.steps.append(StepRun(step: step, results: targets(of: step).map { skipped($0, reason) },
                                            startedAt: clock, duration: 0))
                continue
            }
            if shouldStop() {
                result.failure = (step, "all", "interrupted before this step")
                result.steps.append(StepRun(step: step, results: [HostStepResult(host: "all", status: .failed(.interrupted),
                                                                                 message: "interrupted")],
                                            startedAt: clock, duration: 0))
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

    /// Where a step runs: once on the executor, or on the hosts its selector picks, limited by `--limit`,
    /// in inventory order.
    func targets(of step: Step) -> [TaskTarget] {
        step.hosts == .executorOnce ? [.executor] : hosts(for: step).map { .host($0) }
    }

    /// The inventory hosts a step's selector picks.
    func hosts(for step: Step) -> [Host] {
        // Only the add-node selector depends on what earlier steps registered; the others pick the same
        // hosts every time.
        let fixed = !step.hosts.dependsOnFacts
        if fixed, let known = hostsBySelector[step.hosts] { return known }
        let hosts = cluster.hosts.filter { host in
            (options.limit?.contains(host.name) ?? true)
                && step.hosts.matches(host, in: cluster, isNew: { facts[$0.name].existingContainers?.isEmpty ?? true })
        }
        if fixed { hostsBySelector[step.hosts] = hosts }
        return hosts
    }

    private func skipped(_ target: TaskTarget, _ reason: String) -> HostStepResult {
        HostStepResult(target: target, status: .skipped(reason))
    }

    private func perform(_ step: Step, at clock: Double) -> StepRun {
        let targets = targets(of: step)
        // The connection check is not a playbook task: tag selections do not skip it.
        guard step.action == .connect || step.selected(tags: options.tags, skipTags: options.skipTags) else {
            let reason = "tags [\(step.tags.joined(separator: ", "))] not selected"
            return StepRun(step: step, results: targets.map { skipped($0, reason) }, startedAt: clock, duration: 0)
        }
        if let reason = step.disabledReason {
            return StepRun(step: step, results: targets.map { skipped($0, reason) }, startedAt: clock, duration: 0)
        }
        // Results in target order; targets with operations get theirs once the backend has performed them.
        var results: [HostStepResult] = []
        results.reserveCapacity(targets.count)
        var tasks: [HostTask] = []
        var slots: [Int] = []
        for target in targets {
            switch renderer.render(step, on: target, facts: facts[target.name]) {
            case .skip(let reason):
                results.append(skipped(target, reason))
            case .fail(let message):
                results.append(HostStepResult(target: target, status: step.neverFails ? .ignoredFailure : .failed(.failed),
                                              message: message))
            case .operations(let ops):
                tasks.append(HostTask(step: step, target: target, operations: ops, timeout: step.timeout))
                slots.append(results.count)
                results.append(Self.pending)
            }
        }
        let outcomes = tasks.isEmpty ? [] : backend.perform(tasks)
        var duration = 0.0
        for (k, outcome) in outcomes.enumerated() {
            let task = tasks[k]
            if let host = task.target.host, outcome.status == .ok, let output = outcome.records.last?.stdout {
                facts.register(step.action, output: output, for: host.name)
            }
            // As in ansible, `failed_when: false` does not cover a host that cannot be reached: it stops the
            // play, so no later step asks the backend for it again.
            let ignored = step.neverFails && outcome.status != .unreachable
            let status: HostStepResult.Status = outcome.status == .ok ? .ok : ignored ? .ignoredFailure : .failed(outcome.status)
            results[slots[k]] = HostStepResult(target: task.target, status: status, message: outcome.message,
                                               operations: task.operations, records: outcome.records, duration: outcome.duration)
            duration = max(duration, outcome.duration)
        }
        return StepRun(step: step, results: results, startedAt: clock, duration: duration)
    }

    /// Stands in for a result until the backend reports it.
    private static let pending = HostStepResult(host: "", status: .ok)
}
