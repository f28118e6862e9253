import ArgumentParser
import Foundation
import Deployer
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

    @OptionGroup var tags: TagOptions
    @OptionGroup var report: ReportOptions
    @OptionGroup var ssh: SSHOptions

    /// The main flavour's add-node playbook or the elastic template's tags, checked again once the flavour is known.
    func validate() throws { try tags.check(known: Array(Set(AddNodePlaybook.knownTags + ElasticPlaybook.knownTags)).sorted()) }

    func run() throws {
        let scenario = try loadOrExit(target)
        try tags.check(known: scenario.settings.flavour == .elastic ? ElasticPlaybook.knownTags : AddNodePlaybook.knownTags)
        guard let current = running ?? scenario.runningPath else {
            throw ValidationError("name the running deployment with `running:` in \(target) or --running")
        }
        if RemoveNodePlan.removesHosts(current: try loadOrExit(current), target: scenario) {
            throw ValidationError("\(target) only removes hosts of \(current): use remove-node for a scale-in")
        }
        var job = ValidateJob(path: target)
        job.reportDirectory = report.reportDirectory
        job.timestamp = try report.date()
        job.options = tags.options()
        // Always rehearse first; only a clean rehearsal goes on to the real hosts.
        let outcome = job.addNode(running: current, target: scenario)
        guard real else {
            if outcome != .passed { throw ExitCode(outcome.rawValue) }
            return
        }
        guard outcome == .passed, scenario.expectations.isEmpty || scenario.expectations.allSatisfy({ $0.result == .pass }) else {
            print("add-node: the rehearsal did not pass; nothing was changed on the real hosts")
            throw ExitCode(outcome == .unusable ? 2 : 1)
        }
        var realJob = AddNodeJob(current: try loadOrExit(current), target: scenario,
                              reportPath: "\(report.reportDirectory)/\(scenario.name)-real.xml")
        realJob.timestamp = job.timestamp
        realJob.options = job.options
        realJob.settings = try ssh.settings()
        let status = realJob.run().status
        if status != 0 { throw ExitCode(status) }
    }
}
