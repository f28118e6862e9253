import Foundation

/// `omnisim validate` / `omnisim deploy` (rehearsal) for one scenario file: load, check, rehearse, print,
/// and write the JUnit report, the state summary, the ranktables and each host's files.
public struct ValidateJob {
    public var path: String
    public var reportDirectory = "reports"
    /// Explicit JUnit path; default `<reportDirectory>/<scenario>.xml`.
    public var junitPath: String?
    public var options = RunOptions()
    /// A machines file (a snapshot of the machines' state) that replaces the scenario's description of the
    /// machines it names.
    public var machinesPath: String?
    /// Fixed report timestamp, for byte-identical reports.
    public var timestamp = Date()
    public var print: @Sendable (String) -> Void = { Swift.print($0) }

    public init(path: String) { self.path = path }

    public enum Outcome: Int32 { case passed = 0, failed = 1, unusable = 2 }

    /// Runs the job; its reports are streamed to their files and not kept.
    public func run() -> Outcome { execute(keepingReport: false).outcome }

    /// Runs the job and, when `keepingReport`, also returns the JUnit report it wrote, for aggregation.
    public func execute(keepingReport: Bool = true) -> (outcome: Outcome, report: TestReport?) {
        guard var scenario = ScenarioLoader.load(path: path, report: print) else { return (.unusable, nil) }
        if let machinesPath {
            do {
                scenario.machines = scenario.machines.overlaid(with: try ScenarioLoader.loadMachines(path: machinesPath))
            } catch let error as InputError {
                for d in error.diagnostics { print(d.description) }
                return (.unusable, nil)
            } catch {
                print("\(machinesPath): error: OMS000: \(error)")
                return (.unusable, nil)
            }
            print("\(scenario.name): machines as described in \(machinesPath)")
        }
        if let running = scenario.runningPath { return addNodeReport(running: running, target: scenario) }
        if let note = scenario.flavourNote { print("\(scenario.name): \(note)") }
        if let error = scenario.tagError(options) {
            print(error.description)
            return (.unusable, nil)
        }
        let rehearsal = Rehearsal.run(scenario, options: options) { stepRun in
            let counts = Self.counts(stepRun)
            guard counts.ran > 0 || counts.failed > 0 else { return }
            var line = "  \(stepRun.step.id): \(counts.ran - counts.failed)/\(counts.ran) ok"
            if counts.failed > 0 { line += ", \(counts.failed) failed" }
            line += String(format: " (%.1fs simulated)", stepRun.duration)
            print(line)
        }
        for finding in rehearsal.findings { print(finding.diagnostic.description) }
        if let failure = rehearsal.run.failure {
            print("\(scenario.name): step '\(failure.step.id)' failed on \(failure.host): \(failure.message)")
        }
        for outcome in rehearsal.expectations {
            print("\(scenario.name): expectation (\(outcome.summary)): \(outcome.held ? "held" : "NOT MET: " + outcome.detail)")
        }
        let report: TestReport?
        do {
            report = try writeOutputs(rehearsal, keepingReport: keepingReport)
        } catch {
            print("\(scenario.name): error: cannot write reports: \(error)")
            return (.unusable, nil)
        }
        let passed = rehearsal.passed
        print("\(scenario.name): \(passed ? "PASSED" : "FAILED") — \(rehearsal.run.steps.count) steps, \(String(format: "%.0f", rehearsal.run.duration)) s simulated")
        return (passed ? .passed : .failed, report)
    }

    /// An add-node scenario: rehearse the running deployment, then the addition.
    public func addNode(running: String, target: Scenario) -> Outcome { addNodeReport(running: running, target: target).outcome }

    /// A scenario with `running:` rehearses a change of a running deployment: an addition, or a scale-in
    /// when the target only drops hosts.
    func addNodeReport(running: String, target: Scenario) -> (outcome: Outcome, report: TestReport?) {
        guard let current = ScenarioLoader.load(path: running, report: print) else { return (.unusable, nil) }
        if RemoveNodePlan.removesHosts(current: current, target: target) {
            let rehearsal = RemoveNodeRehearsal.run(current: current, target: target)
            return writeChange(target: target, kind: "Scale-in", current: current, summary: rehearsal.summary(),
                               expectations: rehearsal.expectations, report: rehearsal.report(timestamp: timestamp),
                               world: rehearsal.world, passed: rehearsal.meetsExpectations)
        }
        let rehearsal = AddNodeRehearsal.run(current: current, target: target, options: options)
        return writeChange(target: target, kind: "Add-node", current: current, summary: rehearsal.summary(),
                           expectations: rehearsal.expectations, report: rehearsal.report(timestamp: timestamp),
                           world: rehearsal.world, passed: rehearsal.meetsExpectations)
    }

    private func writeChange(target: Scenario, kind: String, current: Scenario, summary: [String], expectations: [ExpectationOutcome],
                             report: TestReport, world: World, passed: Bool) -> (outcome: Outcome, report: TestReport?) {
        for line in summary { print(line) }
        for outcome in expectations {
            print("\(target.name): expectation (\(outcome.summary)): \(outcome.held ? "held" : "NOT MET: " + outcome.detail)")
        }
        do {
            try JUnitWriter.write(report, to: junitPath ?? "\(reportDirectory)/\(target.name).xml")
            try AtomicFile.stream("\(reportDirectory)/\(target.name)/state.json") { try StateSummary.writeJSON(of: world, to: $0) }
            try AtomicFile.replaceDirectory("\(reportDirectory)/\(target.name)/hosts") {
                try HostFiles.write(of: world, cluster: target.cluster, into: $0)
            }
            try AtomicFile.write("# \(target.name)\n\n\(kind) rehearsal on top of `\(current.name)`.\n\n```\n"
                                 + summary.joined(separator: "\n") + "\n```\n", to: "\(reportDirectory)/\(target.name).md")
        } catch {
            print("\(target.name): error: cannot write reports: \(error)")
            return (.unusable, nil)
        }
        print("\(target.name): \(passed ? "PASSED" : "FAILED")")
        return (passed ? .passed : .failed, report)
    }

    /// Writes the JUnit report, the summary page, the state summary, the exported ranktables and the files
    /// each host ends with, and returns the report when `keepingReport`. Each is streamed to its file as it
    /// is made. The first two come from the run's results, the last three from the simulated world; neither
    /// half changes what the other reads, so they are made on two cores.
    func writeOutputs(_ rehearsal: Rehearsal, keepingReport: Bool) throws -> TestReport? {
        let name = rehearsal.scenario.name
        let junit = junitPath ?? "\(reportDirectory)/\(name).xml", pagePath = "\(reportDirectory)/\(name).md"
        let builder = ReportBuilder(scenario: name, timestamp: timestamp)
        let (cluster, findings, run, expectations) = (rehearsal.cluster, rehearsal.findings, rehearsal.run, rehearsal.expectations)
        let dir = "\(reportDirectory)/\(name)"
        return try Concurrently.run({
            var report: TestReport?
            if keepingReport {
                report = builder.report(cluster: cluster, findings: findings, run: run, expectations: expectations)
                try JUnitWriter.write(report!, to: junit)
            } else {
                try JUnitWriter.write(suites: builder.suites(cluster: cluster, findings: findings, run: run, expectations: expectations),
                                      package: builder.reportName, to: junit)
            }
            let page = SummaryPage(scenario: name, cluster: cluster, findings: findings, run: run, expectations: expectations)
            try AtomicFile.write(page.markdown(), to: pagePath)
            return report
        }, whileHere: {
            try AtomicFile.stream("\(dir)/state.json") { try StateSummary.writeJSON(of: rehearsal.world, to: $0) }
            let executor = rehearsal.world.executor
            let global = Paths(cluster.settings).global
            try AtomicFile.replaceDirectory("\(dir)/ranktables") { tree in
                for file in executor.files(under: global) {
                    try executor.files[file]!.withBytes { try tree.file(String(file.dropFirst(global.count + 1)), bytes: $0) }
                }
            }
            try AtomicFile.replaceDirectory("\(dir)/hosts") { try HostFiles.write(of: rehearsal.world, cluster: cluster, into: $0) }
        })
    }

    static func counts(_ run: StepRun) -> (ran: Int, failed: Int) {
        var ran = 0, failed = 0
        for r in run.results {
            switch r.status {
            case .skipped: break
            case .failed: ran += 1; failed += 1
            case .ok, .ignoredFailure: ran += 1
            }
        }
        return (ran, failed)
    }
}
