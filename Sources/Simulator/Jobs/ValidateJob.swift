import Foundation

/// `omnisim validate` / `omnisim deploy` (rehearsal) for one scenario file: load, check, rehearse, print,
/// and write the JUnit report, the state summary and the ranktables.
public struct ValidateJob {
    public var path: String
    public var reportDirectory = "reports"
    /// Explicit JUnit path; default `<reportDirectory>/<scenario>.xml`.
    public var junitPath: String?
    public var options = RunOptions()
    /// Fixed report timestamp, for byte-identical reports.
    public var timestamp = Date()
    public var print: @Sendable (String) -> Void = { Swift.print($0) }

    public init(path: String) { self.path = path }

    public enum Outcome: Int32 { case passed = 0, failed = 1, unusable = 2 }

    public func run() -> Outcome {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path)
        } catch let error as InputError {
            for d in error.diagnostics { print(d.description) }
            return .unusable
        } catch {
            print("\(path): error: OMS000: \(error)")
            return .unusable
        }
        if let running = scenario.runningPath { return addNode(running: running, target: scenario) }
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
        do {
            try writeOutputs(rehearsal)
        } catch {
            print("\(scenario.name): error: cannot write reports: \(error)")
            return .unusable
        }
        let passed = rehearsal.passed
        print("\(scenario.name): \(passed ? "PASSED" : "FAILED") — \(rehearsal.run.steps.count) steps, \(String(format: "%.0f", rehearsal.run.duration)) s simulated")
        return passed ? .passed : .failed
    }

    /// An add-node scenario: rehearse the running deployment, then the addition.
    public func addNode(running: String, target: Scenario) -> Outcome {
        let current: Scenario
        do {
            current = try ScenarioLoader.load(path: running)
        } catch let error as InputError {
            for d in error.diagnostics { print(d.description) }
            return .unusable
        } catch {
            print("\(running): error: OMS000: \(error)")
            return .unusable
        }
        let rehearsal = AddNodeRehearsal.run(current: current, target: target, options: options)
        for line in rehearsal.summary() { print(line) }
        for outcome in rehearsal.expectations {
            print("\(target.name): expectation (\(outcome.summary)): \(outcome.held ? "held" : "NOT MET: " + outcome.detail)")
        }
        do {
            try JUnitWriter.write(rehearsal.report(timestamp: timestamp), to: junitPath ?? "\(reportDirectory)/\(target.name).xml")
            try AtomicFile.write(StateSummary(world: rehearsal.world).json(), to: "\(reportDirectory)/\(target.name)/state.json")
        } catch {
            print("\(target.name): error: cannot write reports: \(error)")
            return .unusable
        }
        return rehearsal.meetsExpectations ? .passed : .failed
    }

    func writeOutputs(_ rehearsal: Rehearsal) throws {
        let name = rehearsal.scenario.name
        let junit = junitPath ?? "\(reportDirectory)/\(name).xml"
        try JUnitWriter.write(rehearsal.report(timestamp: timestamp), to: junit)
        let dir = "\(reportDirectory)/\(name)"
        try AtomicFile.write(StateSummary(world: rehearsal.world).json(), to: "\(dir)/state.json")
        let executor = rehearsal.world.executor
        let global = Paths(rehearsal.cluster.settings).global
        for file in executor.files(under: global) {
            try AtomicFile.write(executor.files[file]!.content, to: "\(dir)/ranktables/" + file.dropFirst(global.count + 1))
        }
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
