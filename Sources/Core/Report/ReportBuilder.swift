import Foundation

/// Builds the JUnit-shaped report of a validation and rehearsal: one suite per rule area, one per tag
/// of the playbook, and one for the scenario's expectations.
public struct ReportBuilder: Sendable {
    public var scenario: String
    public var timestamp: Date

    public init(scenario: String, timestamp: Date) {
        self.scenario = scenario
        self.timestamp = timestamp
    }

    /// When the scenario expects failure and its expectations held, the failures it expected are reported
    /// as passing cases (marked in their output), so a CI gate over all reports passes exactly when every
    /// scenario behaved as expected.
    public func report(cluster: Cluster, findings: [Finding], run: RunResult?, expectations: [ExpectationOutcome]) -> TestReport {
        TestReport(name: reportName, suites: Array(suites(cluster: cluster, findings: findings, run: run, expectations: expectations)))
    }

    /// The report's name, which JUnit writes as each suite's package.
    public var reportName: String { "omnisim \(scenario)" }

    /// The report's suites, each made only when it is reached, so a writer that streams them holds one
    /// suite at a time: one per rule area, one per tag of the playbook, then the expectations.
    public func suites(cluster: Cluster, findings: [Finding], run: RunResult?,
                       expectations: [ExpectationOutcome]) -> some Sequence<TestSuite> {
        var makers = ruleSuiteMakers(cluster: cluster, findings: findings)
        if let run { makers += stepSuiteMakers(run) }
        if !expectations.isEmpty { makers.append { expectationSuite(expectations) } }
        let expected = !expectations.isEmpty && expectations.allSatisfy(\.held)
        return makers.lazy.map { make in
            var suite = make()
            if expected { Self.markExpectedFailures(&suite) }
            return suite
        }
    }

    /// Turns failures into passes (noted in their output) when the scenario's expectations all held.
    public func markExpectedFailures(_ report: inout TestReport, expectations: [ExpectationOutcome]) {
        guard !expectations.isEmpty && expectations.allSatisfy(\.held) else { return }
        for s in report.suites.indices { Self.markExpectedFailures(&report.suites[s]) }
    }

    static func markExpectedFailures(_ suite: inout TestSuite) {
        for c in suite.cases.indices {
            switch suite.cases[c].outcome {
            case .failure(let message, _, _), .error(let message, _, _):
                suite.cases[c].outcome = .passed
                suite.cases[c].systemOut = "expected failure (the scenario expects it): \(message)\n" + suite.cases[c].systemOut
            default: break
            }
        }
    }

    func classname(_ part: String) -> String { "omnisim.\(scenario).\(part)" }

    func ruleSuites(cluster: Cluster, findings: [Finding]) -> [TestSuite] { ruleSuiteMakers(cluster: cluster, findings: findings).map { $0() } }

    /// One maker per rule area that has rules; each makes a case per rule and subject.
    func ruleSuiteMakers(cluster: Cluster, findings: [Finding]) -> [() -> TestSuite] {
        var byCode: [String: [Finding]] = [:]
        for f in findings { byCode[f.code, default: []].append(f) }
        return RuleArea.allCases.compactMap { area in
            let rules = RuleSet.all.filter { $0.area == area }
            guard !rules.isEmpty else { return nil }
            return { [byCode] in
                var cases: [TestCase] = []
                for rule in rules {
                    let ruleFindings = byCode[rule.code] ?? []
                    for subject in rule.subjects(cluster) {
                        let mine = ruleFindings.filter { $0.subject == subject }
                        var testCase = TestCase(name: "\(rule.code) \(rule.title) [\(subject)]", classname: classname("validate.\(area.rawValue)"))
                        let errors = mine.filter { $0.severity == .error }
                        if !errors.isEmpty {
                            testCase.outcome = .failure(message: errors[0].message, type: rule.code,
                                                        details: errors.map(\.diagnostic.description).joined(separator: "\n"))
                        }
                        testCase.systemOut = mine.filter { $0.severity == .warning }.map(\.diagnostic.description).joined(separator: "\n")
                        cases.append(testCase)
                    }
                }
                return TestSuite(name: "validate.\(area.rawValue)", timestamp: timestamp, cases: cases)
            }
        }
    }

    public func stepSuites(_ run: RunResult) -> [TestSuite] { stepSuiteMakers(run).map { $0() } }

    /// One maker per tag, in the order the tags first run; each makes the cases of every host's result
    /// of the steps whose first tag it is.
    func stepSuiteMakers(_ run: RunResult) -> [() -> TestSuite] {
        var order: [String] = []
        var steps: [String: [Int]] = [:]
        for (index, stepRun) in run.steps.enumerated() {
            let tag = stepRun.step.tags.first ?? "untagged"
            if steps[tag] == nil { order.append(tag) }
            steps[tag, default: []].append(index)
        }
        return order.map { tag in
            { [steps] in
                var cases: [TestCase] = []
                for index in steps[tag]! {
                    let stepRun = run.steps[index]
                    for result in stepRun.results { cases.append(testCase(result, of: stepRun, tag: tag)) }
                }
                return TestSuite(name: "deploy.\(tag)", timestamp: timestamp, cases: cases)
            }
        }
    }

    func testCase(_ result: HostStepResult, of stepRun: StepRun, tag: String) -> TestCase {
        var testCase = TestCase(name: "\(stepRun.step.id) @ \(result.host)", classname: classname("deploy.\(tag)"),
                                time: result.duration)
        testCase.systemOut = transcript(result)
        switch result.status {
        case .ok: break
        case .ignoredFailure:
            testCase.systemOut += (testCase.systemOut.isEmpty ? "" : "\n") + "failure ignored (the step never fails): \(result.message ?? "")"
        case .skipped(let reason): testCase.outcome = .skipped(reason: reason)
        case .failed(let status):
            let message = "\(stepRun.step.name) failed on \(result.host): \(result.message ?? status.rawValue)"
            if status == .failed {
                testCase.outcome = .failure(message: message, type: status.rawValue, details: testCase.systemOut)
            } else {
                testCase.outcome = .error(message: message, type: status.rawValue, details: testCase.systemOut)
            }
        }
        return testCase
    }

    func transcript(_ result: HostStepResult) -> String {
        var lines: [String] = []
        for (i, op) in result.operations.enumerated() {
            lines.append("$ " + op.summary)
            if i < result.records.count {
                let r = result.records[i]
                lines.append("exit \(r.exitStatus)")
                let out = r.stdout.trimmedTail(2000), err = r.stderr.trimmedTail(2000)
                if !out.isEmpty { lines.append(out) }
                if !err.isEmpty { lines.append("stderr: " + err) }
            }
        }
        return lines.joined(separator: "\n")
    }

    public func expectationSuite(_ outcomes: [ExpectationOutcome]) -> TestSuite {
        let cases = outcomes.enumerated().map { i, outcome in
            var testCase = TestCase(name: "expectation \(i + 1): \(outcome.summary)", classname: classname("expect"))
            if !outcome.held { testCase.outcome = .failure(message: outcome.detail, type: "expectation", details: outcome.detail) }
            return testCase
        }
        return TestSuite(name: "expect", timestamp: timestamp, cases: cases)
    }
}

extension String {
    /// The last `limit` characters, marked when cut.
    func trimmedTail(_ limit: Int) -> String {
        let trimmed = self[...].trimmingSpaces
        guard trimmed.utf8.count > limit, trimmed.count > limit else { return trimmed }
        return "…" + trimmed.suffix(limit)
    }
}

/// Whether one expectation of a scenario held, and why not.
public struct ExpectationOutcome: Sendable {
    public var expectation: Expectation
    public var held: Bool
    public var detail: String

    public var summary: String {
        var parts = ["result \(expectation.result.rawValue)"]
        if let s = expectation.step { parts.append("step \(s)") }
        if let h = expectation.host { parts.append("host \(h)") }
        if !expectation.codes.isEmpty { parts.append("codes \(expectation.codes.joined(separator: ","))") }
        return parts.joined(separator: ", ")
    }

    /// Compares what happened with what the scenario expects.
    public static func evaluate(_ expectation: Expectation, findings: [Finding], run: RunResult?) -> ExpectationOutcome {
        let errors = findings.filter { $0.severity == .error }
        let failure = run?.failure
        let failed = !errors.isEmpty || failure != nil
        var problems: [String] = []
        let codes = Set(findings.map(\.code))
        for code in expectation.codes where !codes.contains(code) { problems.append("no \(code) finding was reported") }
        switch expectation.result {
        case .pass:
            if let first = errors.first { problems.append("expected a clean run, but \(first.code): \(first.message)") }
            if let failure { problems.append("expected a clean run, but '\(failure.step.id)' failed on \(failure.host): \(failure.message)") }
        case .fail:
            if !failed { problems.append("expected a failure, but the run passed") }
            if let step = expectation.step {
                if let failure {
                    if failure.step.id != step && !failure.step.tags.contains(step) {
                        problems.append("expected the run to fail at '\(step)', but it failed at '\(failure.step.id)'")
                    }
                } else if failed {
                    problems.append("expected the run to fail at '\(step)', but only static checks failed")
                }
            }
            if let host = expectation.host, let failure, failure.host != host {
                problems.append("expected the failure on '\(host)', but it was on '\(failure.host)'")
            }
            if let text = expectation.message {
                let messages = errors.map(\.message) + [failure?.message].compactMap { $0 }
                if !messages.contains(where: { $0.contains(text) }) {
                    problems.append("no failure message contains \"\(text)\" (got: \(messages.first ?? "none"))")
                }
            }
        }
        return ExpectationOutcome(expectation: expectation, held: problems.isEmpty,
                                  detail: problems.isEmpty ? "held" : problems.joined(separator: "; "))
    }
}
