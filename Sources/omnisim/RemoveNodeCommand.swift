import ArgumentParser
import Foundation
import Deployer
import Simulator

struct RemoveNode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-node",
        abstract: "Rehearse removing whole instances from a running elastic deployment (scale-in), then do it for real with --real.",
        discussion: "The target scenario is the running deployment's inventory without the leaving hosts, and names the running deployment's scenario with `running:` (or pass --running).")

    @Argument(help: "The target scenario: the running deployment without the leaving hosts.")
    var target: String

    @Option(help: "The running deployment's scenario, when the target does not name it.")
    var running: String?

    @Flag(help: "Perform the removal on the real hosts over SSH after a successful rehearsal.")
    var real = false

    @OptionGroup var report: ReportOptions
    @OptionGroup var ssh: SSHOptions

    func run() throws {
        let scenario = try loadOrExit(target)
        guard let currentPath = running ?? scenario.runningPath else {
            throw ValidationError("name the running deployment with `running:` in \(target) or --running")
        }
        let current = try loadOrExit(currentPath)
        guard RemoveNodePlan.removesHosts(current: current, target: scenario) else {
            throw ValidationError("\(target) does not only remove hosts of \(currentPath): use add-node to add hosts")
        }
        var job = ValidateJob(path: target)
        job.reportDirectory = report.reportDirectory
        job.timestamp = try report.date()
        // Always rehearse first; only a clean rehearsal goes on to the real hosts.
        let outcome = job.addNode(running: currentPath, target: scenario)
        guard real else {
            if outcome != .passed { throw ExitCode(outcome.rawValue) }
            return
        }
        guard outcome == .passed, scenario.expectations.allSatisfy({ $0.result == .pass }) else {
            print("remove-node: the rehearsal did not pass; nothing was changed on the real hosts")
            throw ExitCode(outcome == .unusable ? 2 : 1)
        }
        var realJob = RemoveNodeJob(current: current, target: scenario, reportPath: "\(report.reportDirectory)/\(scenario.name)-real.xml")
        realJob.timestamp = job.timestamp
        realJob.settings = try ssh.settings()
        let status = realJob.run().status
        if status != 0 { throw ExitCode(status) }
    }
}
