import Foundation

/// Validation plus rehearsal of a scenario: static rules, then every step against the simulated machines.
/// This is the library entry point for embedding omnisim in other tests.
public struct Rehearsal {
    public let scenario: Scenario
    public let cluster: Cluster
    public let findings: [Finding]
    public let run: RunResult
    /// The simulated world after the run: inspect containers, processes, ports and files.
    public let backend: SimulatorBackend
    public let expectations: [ExpectationOutcome]

    public var world: World { backend.world }

    /// Every rendered operation the simulated hosts received, in the order they received them.
    public var transcript: [(step: String, host: String, operation: Core.Operation)] {
        run.steps.flatMap { stepRun in
            stepRun.results.flatMap { result in result.operations.map { (stepRun.step.id, result.host, $0) } }
        }
    }

    /// True when the scenario's expectations hold; without expectations, when nothing failed.
    public var passed: Bool {
        if !expectations.isEmpty { return expectations.allSatisfy(\.held) }
        return run.succeeded && !findings.contains { $0.severity == .error }
    }

    /// `findings` are the static rules' findings when the caller has already checked the cluster.
    public static func run(_ scenario: Scenario, findings: [Finding]? = nil, options: RunOptions = RunOptions(),
                           steps: [Step]? = nil, onStep: ((StepRun) -> Void)? = nil) -> Rehearsal {
        let cluster = scenario.cluster
        let findings = findings ?? RuleSet.check(cluster)
        let backend = SimulatorBackend(scenario: scenario)
        let result = Orchestration.deploy(cluster: cluster, steps: steps ?? cluster.settings.flavour.steps(for: cluster), backend: backend,
                                          options: options, hooks: Orchestration.Hooks(onStep: onStep))
        let outcomes = scenario.expectations.map { ExpectationOutcome.evaluate($0, findings: findings, run: result) }
        return Rehearsal(scenario: scenario, cluster: cluster, findings: findings, run: result, backend: backend, expectations: outcomes)
    }

    public func report(timestamp: Date) -> TestReport {
        ReportBuilder(scenario: scenario.name, timestamp: timestamp)
            .report(cluster: cluster, findings: findings, run: run, expectations: expectations)
    }
}
