/// A `Backend` that performs steps on a model of the machines. It applies the operations it receives, the
/// same typed values the SSH backend sends, to the model; the run's results keep them
/// (`Rehearsal.transcript`). Time is virtual: a rehearsal takes milliseconds but reports each step's
/// simulated duration.
public final class SimulatorBackend: Backend {
    public let world: World
    public let cluster: Cluster
    public let faults: [Fault]
    /// Virtual seconds since the start of the run.
    public private(set) var clock: Double = 0

    public init(cluster: Cluster, machines: MachinePlan = MachinePlan(), faults: [Fault] = []) {
        self.cluster = cluster
        self.faults = faults
        self.world = World(cluster: cluster, plan: machines, faults: faults)
    }

    /// Continues on an existing world (e.g. after a main deployment), starting the clock at `clock`.
    public init(cluster: Cluster, world: World, faults: [Fault] = [], clock: Double = 0) {
        self.cluster = cluster
        self.faults = faults
        self.world = world
        self.clock = clock
    }

    public convenience init(scenario: Scenario) {
        self.init(cluster: scenario.cluster, machines: scenario.machines, faults: Fault.all(of: scenario))
    }

    public func perform(_ tasks: [HostTask]) -> [HostOutcome] {
        let outcomes = tasks.map(perform)
        clock += outcomes.map(\.duration).max() ?? 0
        return outcomes
    }

    public func close() {}

    func perform(_ task: HostTask) -> HostOutcome {
        if let outcome = fault(for: task)?.outcome(of: task) { return outcome }
        var run = OperationRun(backend: self, task: task, machine: task.target.host.map(world.machine(for:)) ?? world.executor)
        run.apply()
        var outcome = run.outcome()
        // The programs only report what happened; the invariants decide whether the step failed, and
        // their reason (the cause) comes before any later symptom in the same task.
        if let host = task.target.host, let violation = Invariants.firstViolation(on: host, observations: run.observations, world: world) {
            outcome.status = .failed
            outcome.message = violation
        }
        return outcome
    }

    /// The step-level fault for this task, matched by step id or tag.
    private func fault(for task: HostTask) -> Fault? {
        faults.first { fault in
            guard fault.host == task.target.host?.name, let step = fault.step else { return false }
            return step == task.step.id || task.step.tags.contains(step)
        }
    }
}
