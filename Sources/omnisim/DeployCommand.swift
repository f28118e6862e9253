import ArgumentParser
import Foundation
import Deployer
import Simulator

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the deployment steps: on the simulator by default, on real hosts with --real.")

    @Argument(help: "Scenario or inventory file.")
    var path: String

    @Flag(help: "Perform the steps on the real hosts over SSH.")
    var real = false

    @OptionGroup var tags: TagOptions

    @Option(help: "Only these hosts (comma-separated inventory names).")
    var limit: String?

    @Flag(name: .customLong("list-steps"), help: "List the steps with their tags and hosts, and exit.")
    var listSteps = false

    @Option(help: "JUnit output file. Default: <report-dir>/<scenario>.xml")
    var junit: String?

    @OptionGroup var report: ReportOptions
    @OptionGroup var ssh: SSHOptions

    @Flag(help: "Deploy for real even when the static rules report errors.")
    var force = false

    /// Tags are checked against every flavour here, and against the scenario's own flavour once it is loaded.
    func validate() throws { try tags.check(known: Array(Set(Flavour.allCases.flatMap(\.knownTags))).sorted()) }

    var options: RunOptions { tags.options(limit: limit.map { splitList([$0]) }) }

    func run() throws {
        if listSteps {
            let scenario = try loadOrExit(path)
            print(StepListing(cluster: scenario.cluster, options: options).text(), terminator: "")
            return
        }
        if real {
            var job = DeployJob(path: path)
            job.options = options
            job.reportDirectory = report.reportDirectory
            job.junitPath = junit
            job.timestamp = try report.date()
            job.force = force
            job.settings = try ssh.settings()
            let status = job.run()
            if status != 0 { throw ExitCode(status) }
            return
        }
        var job = ValidateJob(path: path)
        job.options = options
        job.reportDirectory = report.reportDirectory
        job.junitPath = junit
        job.timestamp = try report.date()
        let outcome = job.run()
        if outcome != .passed { throw ExitCode(outcome.rawValue) }
    }
}

func loadOrExit(_ path: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(path: path)
    } catch let error as InputError {
        for d in error.diagnostics { print(d.description) }
        throw ExitCode(2)
    }
}
