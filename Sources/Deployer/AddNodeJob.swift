import Core
import Foundation

/// `omnisim add-node --real`: checks the preconditions, then runs the add-node steps over SSH against the
/// running deployment. On a failure before the proxy restart, the new hosts' containers are removed and
/// the proxy keeps its old upstreams.
public struct AddNodeJob {
    public var current: Scenario
    public var target: Scenario
    public var options = RunOptions()
    public var settings = SSHBackend.Settings()
    public var reportPath: String
    public var timestamp = Date()
    public var print: @Sendable (String) -> Void = Progress.printLine

    public init(current: Scenario, target: Scenario, reportPath: String) {
        self.current = current
        self.target = target
        self.reportPath = reportPath
    }

    public struct Outcome {
        public var status: Int32
        public var run: RunResult?
        public var rollback: RunResult?
    }

    public func run() -> Outcome {
        let plan = AddNodePlan(current: current, target: target)
        for problem in plan.problems { print(problem.description) }
        guard plan.ok else {
            print("add-node: not run: fix the preconditions above")
            return Outcome(status: 1, run: nil, rollback: nil)
        }
        let cluster = target.cluster
        let backend = SSHBackend(settings: settings)
        let interrupt = InterruptFlag.install { backend.interrupt() }
        let hooks = Orchestration.Hooks(onStep: { if let line = Progress.line($0) { print(line) } }, shouldStop: { interrupt.signal != 0 })
        let outcome = Orchestration.addNode(plan: plan, cluster: cluster, backend: backend,
                                            rollbackBackend: { SSHBackend(settings: settings) }, options: options, hooks: hooks)
        let result = outcome.run, rollback = outcome.rollback
        if let rollback {
            print("add-node: rolled back the new nodes' containers: \(rollback.succeeded ? "done" : rollback.failure!.message)")
        }
        var report = ReportBuilder(scenario: target.name, timestamp: timestamp)
            .report(cluster: cluster, findings: [], run: result, expectations: [])
        if let rollback { report.suites += ReportBuilder(scenario: target.name, timestamp: timestamp).stepSuites(rollback) }
        do { try JUnitWriter.write(report, to: reportPath) } catch { print("add-node: cannot write the report: \(error)") }
        if interrupt.signal != 0 { return Outcome(status: 128 + interrupt.signal, run: result, rollback: rollback) }
        if let failure = result.failure {
            print("add-node: FAILED at '\(failure.step.id)' on \(failure.host): \(failure.message)")
            if failure.step.id == Runner.connectStepID { print("add-node: nothing was run on any host") }
            return Outcome(status: 1, run: result, rollback: rollback)
        }
        print("add-node: \(plan.added.map(\.name).joined(separator: ", ")) added; proxy restarted with the new upstreams")
        return Outcome(status: 0, run: result, rollback: rollback)
    }
}
