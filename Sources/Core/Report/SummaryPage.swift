/// A Markdown page for people, built from the same data as the JUnit report: the topology, the port plan
/// per machine, every step's status per host, and the failures with their evidence.
public struct SummaryPage {
    public var scenario: String
    public var cluster: Cluster
    public var findings: [Finding]
    public var run: RunResult?
    public var expectations: [ExpectationOutcome]

    public init(scenario: String, cluster: Cluster, findings: [Finding], run: RunResult?, expectations: [ExpectationOutcome]) {
        self.scenario = scenario
        self.cluster = cluster
        self.findings = findings
        self.run = run
        self.expectations = expectations
    }

    static func cell(_ text: String) -> String {
        text.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
    }

    public func markdown() -> String {
        var out = "# \(scenario)\n\n"
        let verdict = expectations.isEmpty
            ? ((run?.succeeded ?? true) && !findings.contains { $0.severity == .error } ? "clean" : "problems found")
            : (expectations.allSatisfy(\.held) ? "expectations met" : "expectations NOT met")
        out += "**Result:** \(verdict)"
        if let run { out += String(format: " — %d steps, %.0f s simulated or measured", run.steps.count, run.duration) }
        out += "\n\n## Topology\n\n| host | role | address | instance | devices | TP | API servers | node port | API ports | container |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for r in PlanView(cluster: cluster).rows {
            out += "| \(r.host) | \(r.role) | \(r.address) | \(r.instance) | \(PlanView.shortDevices(r.devices)) | \(r.tp) | \(r.apiServers) | \(r.nodePort) | \(r.apiPorts) | \(r.container) |\n"
        }
        out += "\n## Ports per machine\n\n| machine | port | host | purpose |\n|---|---|---|---|\n"
        for (machine, bindings) in PortPlan(cluster).byMachine {
            // Consecutive ports of one host and purpose (an API server range) share a row.
            var rows: [(first: Int, last: Int, host: String, purpose: String)] = []
            for b in bindings.sorted(by: { ($0.port, $0.host) < ($1.port, $1.host) }) {
                if let last = rows.last, last.last + 1 == b.port, last.host == b.host, last.purpose == b.purpose {
                    rows[rows.count - 1].last = b.port
                } else {
                    rows.append((b.port, b.port, b.host, b.purpose))
                }
            }
            for r in rows {
                out += "| \(machine) | \(r.first == r.last ? "\(r.first)" : "\(r.first)–\(r.last)") | \(r.host) | \(r.purpose) |\n"
            }
        }
        if !findings.isEmpty {
            out += "\n## Findings\n\n"
            for f in findings { out += "- `\(f.code)` \(f.severity.rawValue) at \(f.location?.description ?? "-"): \(Self.cell(f.message))\(f.hint.map { " — \($0)" } ?? "")\n" }
        }
        if let run {
            let hosts = cluster.hosts.map(\.name)
            out += "\n## Steps\n\n✔ ok · ✘ failed · ~ failure ignored · – skipped · blank: not a target\n\n| step | tags | " + hosts.joined(separator: " | ") + " | executor |\n|---|---|" + String(repeating: "---|", count: hosts.count + 1) + "\n"
            for stepRun in run.steps {
                var marks: [String: String] = [:]
                var executorMark = ""
                for r in stepRun.results {
                    let mark = switch r.status {
                    case .ok: "✔"
                    case .failed: "✘"
                    case .ignoredFailure: "~"
                    case .skipped: "–"
                    }
                    if r.onExecutor { executorMark = mark } else { marks[r.host] = mark }
                }
                out += "| \(stepRun.step.id) | \(stepRun.step.tags.joined(separator: ", ")) | " + (hosts.map { marks[$0] ?? "" } + [executorMark]).joined(separator: " | ") + " |\n"
            }
            let failed = run.steps.flatMap { s in s.results.filter(\.isFailure).map { (s, $0) } }
            if !failed.isEmpty {
                out += "\n## Failures\n"
                for (stepRun, result) in failed {
                    out += "\n### \(stepRun.step.id) on \(result.host)\n\n\(result.message ?? "failed")\n\n```\n"
                    out += ReportBuilder(scenario: scenario, timestamp: .init(timeIntervalSince1970: 0)).transcript(result)
                    out += "\n```\n"
                }
            }
        }
        if !expectations.isEmpty {
            out += "\n## Expectations\n\n"
            for e in expectations { out += "- \(e.held ? "✔" : "✘") \(e.summary): \(Self.cell(e.detail))\n" }
        }
        return out
    }
}
