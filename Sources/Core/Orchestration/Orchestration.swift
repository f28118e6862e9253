/// The one sequence every run follows, rehearsed or real: the rules gate, the steps on a backend, and for
/// add-node the rollback decision. `validate`, `deploy` and `add-node` differ only in the backend they pass
/// and in what they print and write.
public enum Orchestration {
    /// Hooks of one run: progress, interrupts, and the clock of a run that continues an earlier one.
    public struct Hooks {
        public var onStep: ((StepRun) -> Void)?
        public var shouldStop: () -> Bool = { false }
        public var startTime: Double = 0

        public init(onStep: ((StepRun) -> Void)? = nil, shouldStop: @escaping () -> Bool = { false }, startTime: Double = 0) {
            self.onStep = onStep
            self.shouldStop = shouldStop
            self.startTime = startTime
        }
    }

    /// Why a real run must not start, or nil when it may. Errors of the static rules refuse it unless
    /// `force` is set; unsafe values (OMS119) refuse it even then, since they would reach a shell.
    public static func refusal(findings: [Finding], force: Bool) -> String? {
        let errors = findings.filter { $0.severity == .error }
        if let unsafe = errors.first(where: { $0.code == SafeValuesRule().code }) {
            return "\(unsafe.code) reports a value that is unsafe in a shell; --force does not override it"
        }
        if !errors.isEmpty && !force { return "the static rules report \(errors.count) error(s) (pass --force to deploy anyway)" }
        return nil
    }

    /// Runs the steps of a deployment on `backend`.
    public static func deploy(cluster: Cluster, steps: [Step], backend: Backend, options: RunOptions = RunOptions(),
                              hooks: Hooks = Hooks()) -> RunResult {
        run(cluster: cluster, steps: steps, backend: backend, options: options, hooks: hooks)
    }

    public struct AddNodeResult: Sendable {
        public var run: RunResult
        /// The rollback's run, when the failure called for one.
        public var rollback: RunResult?
    }

    /// The steps and options of an addition under the cluster's flavour: the main flavour's separate
    /// add-node playbook, or the elastic template run with `--tags add_node` added to the caller's tags.
    public static func addNodeSteps(for cluster: Cluster, options: RunOptions) -> (steps: [Step], options: RunOptions) {
        guard cluster.settings.flavour == .elastic else { return (AddNodePlaybook.steps(for: cluster), options) }
        var options = options
        options.tags.insert("add_node")
        return (ElasticPlaybook.steps(for: cluster), options)
    }

    /// Runs the add-node steps on `backend`; after a failure that calls for it, removes the new hosts'
    /// containers on the backend `rollbackBackend` makes (a fresh connection set, since the play's
    /// backend is closed when the play ends).
    public static func addNode(plan: AddNodePlan, cluster: Cluster, backend: Backend, rollbackBackend: () -> Backend,
                               options: RunOptions = RunOptions(), hooks: Hooks = Hooks()) -> AddNodeResult {
        let (steps, options) = addNodeSteps(for: cluster, options: options)
        let result = run(cluster: cluster, steps: steps, backend: backend, options: options, hooks: hooks)
        guard let cleanup = AddNodePlaybook.rollbackSteps(after: result, added: Set(plan.added.map(\.name))) else {
            return AddNodeResult(run: result, rollback: nil)
        }
        let rollback = run(cluster: cluster, steps: cleanup, backend: rollbackBackend(), options: RunOptions(), hooks: Hooks())
        return AddNodeResult(run: result, rollback: rollback)
    }

    /// Runs a scale-in: the proxy restart on the target cluster, then, once it is up, the leaving hosts'
    /// drain and removal on the running cluster (`removalBackend` connects to them). Nothing happens to
    /// the leaving hosts while the proxy may still route to them.
    public static func removeNodes(plan: RemoveNodePlan, backend: Backend, removalBackend: () -> Backend,
                                   hooks: Hooks = Hooks()) -> RunResult {
        let target = plan.target.cluster
        let proxy = run(cluster: target, steps: ScaleInPlaybook.proxySteps(for: target), backend: backend,
                        options: RunOptions(limit: Set(target.proxy.map(\.name))), hooks: hooks)
        guard proxy.succeeded else { return proxy }
        var next = hooks
        next.startTime = max(hooks.startTime, proxy.duration)
        let removal = run(cluster: plan.current.cluster, steps: ScaleInPlaybook.removalSteps(removed: Set(plan.removed.map(\.name))),
                          backend: removalBackend(), options: RunOptions(limit: Set(plan.removed.map(\.name))), hooks: next)
        return RunResult(steps: proxy.steps + removal.steps, failure: removal.failure)
    }

    private static func run(cluster: Cluster, steps: [Step], backend: Backend, options: RunOptions, hooks: Hooks) -> RunResult {
        let runner = Runner(cluster: cluster, steps: steps, backend: backend, options: options)
        runner.onStep = hooks.onStep
        runner.shouldStop = hooks.shouldStop
        runner.startTime = hooks.startTime
        return runner.run()
    }
}
