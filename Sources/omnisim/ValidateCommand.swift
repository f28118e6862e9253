import ArgumentParser
import Foundation
import Simulator

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenarios (or inventories) and rehearse the whole deployment on the simulator.",
        discussion: "Exit status: 0 when every scenario passes (or meets its expectations), 1 when one does not, 2 when an input is unusable.")

    @Argument(help: "Scenario or inventory files, or directories of them.")
    var paths: [String]

    @Option(help: "JUnit output file (one scenario only). Default: <report-dir>/<scenario>.xml")
    var junit: String?

    @Option(help: "A machines file (`machines:` in the scenario format, e.g. a snapshot of the real machines) that replaces the scenario's description of the machines it names; one scenario only.")
    var machines: String?

    @OptionGroup var report: ReportOptions

    func validate() throws {
        if junit != nil && scenarioFiles(paths).count > 1 {
            throw ValidationError("--junit names one file; with several scenarios use --report-dir")
        }
        if machines != nil && scenarioFiles(paths).count > 1 {
            throw ValidationError("--machines describes the machines of one scenario")
        }
    }

    func run() throws {
        let date = try report.date()
        let files = scenarioFiles(paths)
        if files.isEmpty {
            print("error: no scenario files (*.yml, *.yaml) in \(paths.joined(separator: " "))")
            throw ExitCode(2)
        }
        let outcome: ValidateJob.Outcome
        if files.count == 1 {
            var job = ValidateJob(path: files[0])
            job.reportDirectory = report.reportDirectory
            job.junitPath = junit
            job.timestamp = date
            job.machinesPath = machines
            outcome = job.run()
        } else {
            var many = ValidateMany(paths: files)
            many.reportDirectory = report.reportDirectory
            many.timestamp = date
            outcome = many.run()
        }
        if outcome != .passed { throw ExitCode(outcome.rawValue) }
    }
}
