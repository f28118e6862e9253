/// Thresholds of `omnisim gate`.
public struct GateOptions: Sendable {
    public var maxFailures: Int
    public var failOnSkipped: Bool

    public init(maxFailures: Int = 0, failOnSkipped: Bool = false) {
        self.maxFailures = maxFailures
        self.failOnSkipped = failOnSkipped
    }
}

public struct GateResult: Sendable {
    public var passed: Bool
    public var text: String
    public var suites = 0, tests = 0, failures = 0, errors = 0, skipped = 0
}

/// The CI gate: totals over JUnit reports, every failing case, and a verdict against the thresholds.
public enum Gate {
    public static func evaluate(_ reports: [(path: String, report: TestReport)], options: GateOptions) -> GateResult {
        var result = GateResult(passed: true, text: "")
        var failing: [String] = []
        for (path, report) in reports {
            for suite in report.suites {
                result.suites += 1
                result.tests += suite.cases.count
                result.failures += suite.failures
                result.errors += suite.errors
                result.skipped += suite.skipped
                for c in suite.cases {
                    switch c.outcome {
                    case .failure(let message, _, _): failing.append("  FAIL  \(c.classname) \(c.name): \(message.firstLine)  (\(path))")
                    case .error(let message, _, _): failing.append("  ERROR \(c.classname) \(c.name): \(message.firstLine)  (\(path))")
                    default: break
                    }
                }
            }
        }
        var lines = ["\(reports.count) report(s): \(result.suites) suites, \(result.tests) tests, \(result.failures) failures, \(result.errors) errors, \(result.skipped) skipped"]
        lines += failing
        if result.failures + result.errors > options.maxFailures {
            result.passed = false
            lines.append("gate: FAILED — \(result.failures + result.errors) failure(s)/error(s), at most \(options.maxFailures) allowed")
        } else if options.failOnSkipped && result.skipped > 0 {
            result.passed = false
            lines.append("gate: FAILED — \(result.skipped) skipped test(s) and --fail-on-skipped")
        } else {
            lines.append("gate: PASSED")
        }
        result.text = lines.joined(separator: "\n") + "\n"
        return result
    }
}
