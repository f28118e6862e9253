import Core
import Foundation

/// `omnisim remove-node --real`: checks the preconditions, restarts the proxy without the leaving nodes,
/// then drains (SIGTERM, wait for their ports to close) and removes their containers over SSH.
public struct RemoveNodeJob {
    public var current: Scenario
    public var target: Scenario
    public var settings = SSHBackend.Settings()
    public var reportPath: String
    public var timestamp = Date()
    public var print: @Sendable (String) -> Void = Progress.printLine

    public init(current: Scenario, target: Scenario, reportPath: String) {
        self.current = current
        self.target = target
        self.reportPath = reportPath
    }

    public func run() -> (status: Int32, run: RunResult?) {
        let plan = RemoveNodePlan(current: current, target: target)
        for problem in plan.problems { print(problem.description) }
        guard plan.ok else {
            print("remove-node: not run: fix the preconditions above")
            return (1, nil)
        }
        let backend = SSHBackend(settings: settings)
        let interrupt = InterruptFlag.install { backend.interrupt() }
        let hooks = Orchestration.Hooks(onStep: { if let line = Progress.line($0) { print(line) } }, shouldStop: { interrupt.signal != 0 })
        let result = Orchestration.removeNodes(plan: plan, backend: backend, removalBackend: { SSHBackend(settings: settings) }, hooks: hooks)
        let report = ReportBuilder(scenario: target.name, timestamp: timestamp).report(cluster: target.cluster, findings: [], run: result, expectations: [])
        do { try JUnitWriter.write(report, to: reportPath) } catch { print("remove-node: cannot write the report: \(error)") }
        if interrupt.signal != 0 { return (128 + interrupt.signal, result) }
        if let failure = result.failure {
            print("remove-node: FAILED at '\(failure.step.id)' on \(failure.host): \(failure.message)")
            return (1, result)
        }
        print("remove-node: \(plan.removed.map(\.name).joined(separator: ", ")) removed; the proxy serves the remaining instances")
        return (0, result)
    }
}
