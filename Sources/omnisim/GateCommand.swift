import ArgumentParser
import Core
import Foundation

struct Gate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read JUnit reports (files or directories) and fail when anything failed.",
        discussion: "Exit status: 0 when the reports pass the thresholds, 1 when they do not, 2 when a report cannot be read.")

    @Argument(help: "JUnit XML files, or directories searched recursively for *.xml.")
    var paths: [String]

    @Option(name: .customLong("max-failures"), help: "Failures plus errors tolerated.")
    var maxFailures = 0

    @Flag(name: .customLong("fail-on-skipped"), help: "Fail when any test was skipped.")
    var failOnSkipped = false

    func run() throws {
        var reports: [(path: String, report: TestReport)] = []
        for file in xmlFiles(paths) {
            do {
                for report in try JUnitReader.read(path: file) { reports.append((file, report)) }
            } catch let error as InputError {
                for d in error.diagnostics { print(d.description) }
                throw ExitCode(2)
            }
        }
        if reports.isEmpty {
            print("error: no JUnit reports found in \(paths.joined(separator: " "))")
            throw ExitCode(2)
        }
        let result = Core.Gate.evaluate(reports, options: GateOptions(maxFailures: maxFailures, failOnSkipped: failOnSkipped))
        print(result.text, terminator: result.text.hasSuffix("\n") ? "" : "\n")
        if !result.passed { throw ExitCode(1) }
    }

    func xmlFiles(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { files.append(path); continue }
            if isDirectory.boolValue {
                let all = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
                files += all.filter { $0.hasSuffix(".xml") }.sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
