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

    @Option(parsing: .upToNextOption, help: "Only steps with these tags (comma-separated or repeated).")
    var tags: [String] = []

    @Option(name: .customLong("skip-tags"), parsing: .upToNextOption, help: "Skip steps with these tags.")
    var skipTags: [String] = []

    @Option(help: "Only these hosts (comma-separated inventory names).")
    var limit: String?

    @Flag(name: .customLong("list-steps"), help: "List the steps with their tags and hosts, and exit.")
    var listSteps = false

    @Option(help: "JUnit output file. Default: <report-dir>/<scenario>.xml")
    var junit: String?

    @Option(name: .customLong("report-dir"), help: "Directory for reports.")
    var reportDirectory = "reports"

    @Option(help: "Fixed report timestamp (UTC) for byte-identical reports.")
    var timestamp: String?

    @Option(name: .customLong("known-hosts"), help: "known_hosts file for host-key checks (default ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(name: .customLong("accept-new-host-keys"), help: "Add unknown host keys to known_hosts; a changed key is always refused.")
    var acceptNewHostKeys = false

    @Option(help: "Hosts worked on at once.")
    var forks = 8

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for a host to answer.")
    var connectTimeout = 10.0

    @Option(name: .customLong("remote-path"), help: "Directories put first on PATH for remote commands.")
    var remotePath: String?

    @Flag(help: "Deploy for real even when the static rules report errors.")
    var force = false

    func validate() throws {
        guard forks >= 1 && forks <= 256 else { throw ValidationError("--forks must be between 1 and 256") }
        for tag in splitList(tags).union(splitList(skipTags)) where !MainPlaybook.knownTags.contains(tag) {
            throw ValidationError("unknown tag '\(tag)'; known tags: \(MainPlaybook.knownTags.joined(separator: ", "))")
        }
    }

    var options: RunOptions {
        RunOptions(tags: splitList(tags), skipTags: splitList(skipTags), limit: limit.map { splitList([$0]) })
    }

    func run() throws {
        if listSteps {
            let scenario = try loadOrExit(path)
            print(StepListing(cluster: scenario.cluster, options: options).text(), terminator: "")
            return
        }
        if real {
            var job = DeployJob(path: path)
            job.options = options
            job.reportDirectory = reportDirectory
            job.junitPath = junit
            job.timestamp = try parseTimestamp(timestamp)
            job.force = force
            job.settings.hostKeys = HostKeyPolicy(knownHostsPath: knownHosts, acceptNew: acceptNewHostKeys)
            job.settings.forks = forks
            job.settings.connectTimeout = connectTimeout
            job.settings.commandPATH = remotePath
            job.settings.passphrase = ProcessInfo.processInfo.environment["OMNISIM_KEY_PASSPHRASE"].map(Secret.init)
            let status = job.run()
            if status != 0 { throw ExitCode(status) }
            return
        }
        var job = ValidateJob(path: path)
        job.options = options
        job.reportDirectory = reportDirectory
        job.junitPath = junit
        job.timestamp = try parseTimestamp(timestamp)
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
