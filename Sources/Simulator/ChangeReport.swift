import Foundation

/// The JUnit suites shared by the rehearsals of a change to a running deployment (add-node, remove-node):
/// one test case per failed precondition, and one per machine with its state changes, failing when a
/// machine that the change must leave alone changed.
enum ChangeReport {
    /// `kind` names the change in suite and class names (`add-node`, `remove-node`).
    static func preconditions(_ problems: [Diagnostic], kind: String, scenario: String, timestamp: Date) -> TestSuite {
        let classname = "omnisim.\(scenario).\(kind).preconditions"
        var cases = problems.map { p in
            TestCase(name: "\(p.code) precondition", classname: classname,
                     outcome: .failure(message: p.message, type: p.code, details: p.description))
        }
        if cases.isEmpty { cases = [TestCase(name: "all preconditions hold", classname: classname)] }
        return TestSuite(name: "\(kind).preconditions", timestamp: timestamp, cases: cases)
    }

    /// The summary lines of each machine's changes, at most `shown` changes each.
    static func changeLines(before: StateSummary, after: StateSummary, shown: Int) -> [String] {
        let changes = before.diff(to: after)
        var lines: [String] = []
        for machine in changes.keys.sorted() {
            let list = changes[machine]!
            lines.append("  \(machine): \(list.isEmpty ? "unchanged" : "\(list.count) change(s)")")
            for line in list.prefix(shown) { lines.append("    \(line)") }
            if list.count > shown { lines.append("    … \(list.count - shown) more") }
        }
        return lines
    }

    /// `mayChange` are the machines the change is meant to touch; any other machine that changed fails with
    /// `failure`.
    static func state(before: StateSummary, after: StateSummary, mayChange: Set<String>, failure: String, kind: String,
                      scenario: String, timestamp: Date, summary: [String]) -> TestSuite {
        let changes = before.diff(to: after)
        var cases: [TestCase] = []
        for machine in changes.keys.sorted() where machine != "executor" {
            var c = TestCase(name: "state of \(machine)", classname: "omnisim.\(scenario).\(kind).state")
            c.systemOut = changes[machine]!.joined(separator: "\n")
            if !changes[machine]!.isEmpty && !mayChange.contains(machine) {
                c.outcome = .failure(message: failure, type: "state", details: c.systemOut)
            }
            cases.append(c)
        }
        return TestSuite(name: "\(kind).state", timestamp: timestamp, cases: cases, systemOut: summary.joined(separator: "\n"))
    }
}
