import Core
import Foundation

/// One progress line per step of a real run: hosts done out of hosts targeted, elapsed time, and each
/// failure with its host. Bold bullet on a terminal, plain text otherwise.
enum Progress {
    static func line(_ run: StepRun, terminal: Bool = isatty(STDOUT_FILENO) != 0) -> String? {
        let ran = run.results.filter { if case .skipped = $0.status { false } else { true } }
        guard !ran.isEmpty else { return nil }
        let failed = ran.filter(\.isFailure)
        var line = (terminal ? "\u{1B}[1m•\u{1B}[0m " : "- ") + run.step.id.padding(toLength: max(28, run.step.id.count), withPad: " ", startingAt: 0)
        line += " \(ran.count - failed.count)/\(ran.count) hosts ok, " + String(format: "%.1fs", run.duration)
        for f in failed { line += "\n    \(f.host): \(f.message ?? "failed")" }
        return line
    }

    /// Prints a line and flushes it at once, also when stdout is a pipe or a file (CI logs), where the C
    /// library would otherwise hold it until the buffer fills or the run ends.
    static let printLine: @Sendable (String) -> Void = { line in
        Swift.print(line)
        fflush(nil)
    }
}
