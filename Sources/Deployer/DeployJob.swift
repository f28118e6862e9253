import Core
import Foundation

/// `omnisim deploy --real`: checks the scenario, connects to every targeted host (checking its key), then
/// performs the steps over SSH, printing progress and writing the JUnit report. A host that cannot be
/// reached stops the run before anything has run on any host. SIGINT/SIGTERM stop a readiness wait at once
/// and keep further steps from starting; the report records the interruption and the exit status is 130 or
/// 143.
public struct DeployJob {
    public var path: String
    public var options = RunOptions()
    public var settings = SSHBackend.Settings()
    public var reportDirectory = "reports"
    public var junitPath: String?
    public var timestamp = Date()
    /// Deploy even when static rules report errors.
    public var force = false
    public var steps: ((Cluster) -> [Step])?
    public var print: @Sendable (String) -> Void = Progress.printLine

    public init(path: String) { self.path = path }

    public func run() -> Int32 {
        guard let scenario = ScenarioLoader.load(path: path, report: print) else { return 2 }
        let cluster = scenario.cluster
        if let error = scenario.tagError(options) {
            print(error.description)
            return 2
        }
        let findings = RuleSet.check(cluster)
        for finding in findings { print(finding.diagnostic.description) }
        if let refusal = Orchestration.refusal(findings: findings, force: force) {
            print("\(scenario.name): not deploying: \(refusal)")
            return 1
        }
        let backend = SSHBackend(settings: settings)
        let interrupt = InterruptFlag.install { backend.interrupt() }
        let hooks = Orchestration.Hooks(onStep: { if let line = Progress.line($0) { print(line) } }, shouldStop: { interrupt.signal != 0 })
        let result = Orchestration.deploy(cluster: cluster, steps: steps?(cluster) ?? cluster.settings.flavour.steps(for: cluster), backend: backend,
                                          options: options, hooks: hooks)
        let report = ReportBuilder(scenario: scenario.name, timestamp: timestamp)
            .report(cluster: cluster, findings: findings, run: result, expectations: [])
        do {
            try JUnitWriter.write(report, to: junitPath ?? "\(reportDirectory)/\(scenario.name).xml")
        } catch {
            print("\(scenario.name): error: cannot write the report: \(error)")
        }
        if interrupt.signal != 0 {
            print("\(scenario.name): interrupted; the report lists what ran")
            return 128 + interrupt.signal
        }
        if let failure = result.failure {
            print("\(scenario.name): FAILED at '\(failure.step.id)' on \(failure.host): \(failure.message)")
            if failure.step.id == Runner.connectStepID { print("\(scenario.name): nothing was run on any host") }
            return 1
        }
        print("\(scenario.name): deployed (\(String(format: "%.0f", result.duration)) s)")
        return 0
    }
}
