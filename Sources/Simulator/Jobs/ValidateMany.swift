import Foundation

/// Validates several scenarios in parallel; each scenario's output is printed as one block, in file
/// order. Writes an aggregate JUnit report (`all.xml`) and an index page (`index.md`) next to the
/// per-scenario reports.
public struct ValidateMany: Sendable {
    public var paths: [String]
    public var reportDirectory = "reports"
    public var timestamp = Date()
    public var options = RunOptions()

    public init(paths: [String]) { self.paths = paths }

    /// The worst outcome over all scenarios.
    public func run() -> ValidateJob.Outcome {
        final class Slot: @unchecked Sendable {
            var lines: [String] = []
            var outcome = ValidateJob.Outcome.unusable
            var report: TestReport?
        }
        let slots = paths.map { _ in Slot() }
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            var job = ValidateJob(path: paths[i])
            job.reportDirectory = reportDirectory
            job.timestamp = timestamp
            job.options = options
            let slot = slots[i]
            job.print = { slot.lines.append($0) }
            (slot.outcome, slot.report) = job.execute()
        }
        var aggregate = TestReport(name: "omnisim")
        var index = "# omnisim scenarios\n\n| scenario | result | tests | failures | errors | skipped |\n|---|---|---|---|---|---|\n"
        for (path, slot) in zip(paths, slots) {
            for line in slot.lines { Swift.print(line) }
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let verdict = ["passed", "FAILED", "unusable input"][Int(slot.outcome.rawValue)]
            if let report = slot.report {
                aggregate.suites += report.suites.map { var s = $0; s.name = "\(report.name.replacingOccurrences(of: "omnisim ", with: "")): \(s.name)"; return s }
                index += "| [\(name)](\(name).md) | \(verdict) | \(report.tests) | \(report.failures) | \(report.errors) | \(report.skipped) |\n"
            } else {
                index += "| \(name) | \(verdict) | – | – | – | – |\n"
            }
        }
        do {
            try JUnitWriter.write(aggregate, to: "\(reportDirectory)/all.xml")
            try AtomicFile.write(index, to: "\(reportDirectory)/index.md")
        } catch {
            Swift.print("error: cannot write the aggregate report: \(error)")
            return .unusable
        }
        let worst = slots.map(\.outcome.rawValue).max() ?? 0
        let passed = slots.filter { $0.outcome == .passed }.count
        Swift.print("\(passed)/\(paths.count) scenarios passed; aggregate report \(reportDirectory)/all.xml")
        return ValidateJob.Outcome(rawValue: worst)!
    }
}
