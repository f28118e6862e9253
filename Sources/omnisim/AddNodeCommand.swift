import ArgumentParser
import Foundation
import Simulator

struct AddNode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-node",
        abstract: "Rehearse adding prefill nodes to a running deployment (1P1D → 2P1D), then do it for real with --real.",
        discussion: "The target scenario names the running deployment's scenario with `running:` (or pass --running).")

    @Argument(help: "The target scenario: the running deployment plus the new hosts.")
    var target: String

    @Option(help: "The running deployment's scenario, when the target does not name it.")
    var running: String?

    @Flag(help: "Perform the addition on the real hosts over SSH after a successful rehearsal.")
    var real = false

    @Option(name: .customLong("report-dir"), help: "Directory for reports.")
    var reportDirectory = "reports"

    @Option(help: "Fixed report timestamp (UTC) for byte-identical reports.")
    var timestamp: String?

    func run() throws {
        let scenario = try loadOrExit(target)
        guard let current = running ?? scenario.runningPath else {
            throw ValidationError("name the running deployment with `running:` in \(target) or --running")
        }
        if real {
            throw ValidationError("--real needs the SSH backend, which this build does not include yet")
        }
        var job = ValidateJob(path: target)
        job.reportDirectory = reportDirectory
        job.timestamp = try parseTimestamp(timestamp)
        let outcome = job.addNode(running: current, target: scenario)
        if outcome != .passed { throw ExitCode(outcome.rawValue) }
    }
}
