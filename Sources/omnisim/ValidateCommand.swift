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

    @Option(name: .customLong("report-dir"), help: "Directory for reports.")
    var reportDirectory = "reports"

    @Option(help: "Fixed report timestamp (UTC, e.g. 2025-01-31T12:00:00) for byte-identical reports.")
    var timestamp: String?

    func validate() throws {
        if junit != nil && scenarioFiles(paths).count > 1 {
            throw ValidationError("--junit names one file; with several scenarios use --report-dir")
        }
    }

    func run() throws {
        let date = try parseTimestamp(timestamp)
        var worst: Int32 = 0
        let files = scenarioFiles(paths)
        if files.isEmpty { throw ValidationError("no scenario files found in \(paths.joined(separator: " "))") }
        for file in files {
            var job = ValidateJob(path: file)
            job.reportDirectory = reportDirectory
            job.junitPath = junit
            job.timestamp = date
            worst = max(worst, job.run().rawValue)
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}
