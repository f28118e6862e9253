import Core
import Foundation
import Testing

/// The `omnisim` executable as users run it: exit statuses and machine-readable output.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func omnisim(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let binary = try #require(InterruptTests.binary, "build the omnisim executable first (swift build)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    var reports: String { FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-cli-\(getpid())").path }

    @Test func exitStatuses() throws {
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let clean = try omnisim(["validate", "--report-dir", reports, "scenarios/2p1d.yml"])
        #expect(clean.status == 0)
        #expect(FileManager.default.fileExists(atPath: reports + "/2p1d.xml"))
        #expect(FileManager.default.fileExists(atPath: reports + "/2p1d.md"))
        #expect(FileManager.default.fileExists(atPath: reports + "/2p1d/state.json"))
        #expect(FileManager.default.fileExists(atPath: reports + "/2p1d/ranktables/global_ranktable_merge.json"))
        #expect(FileManager.default.fileExists(atPath: reports + "/2p1d/ranktables/collect_files_d/local_ranktable_merge.json"))
        // A bare inventory with a rule violation (and no expectation): findings → 1.
        let findings = try omnisim(["validate", "--report-dir", reports, "scenarios/inventories/duplicate-kv-rank.yml"])
        #expect(findings.status == 1)
        #expect(findings.output.contains("error: OMS107"))
        let bad = reports + "/bad.yml"
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        try "all:\n  children:\n    P: {hosts: {p0: {ansible_host: x}}}\n    Q: {}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let unusable = try omnisim(["validate", "--report-dir", reports, bad])
        #expect(unusable.status == 2)
        #expect(unusable.output.contains("\(bad):4:5: error: OMS003: unknown group 'Q'"))
        #expect(try omnisim(["validate", reports + "/missing.yml"]).status == 2)
        let emptyDirectory = reports + "/nothing"
        try FileManager.default.createDirectory(atPath: emptyDirectory, withIntermediateDirectories: true)
        #expect(try omnisim(["validate", emptyDirectory]).status == 2)
    }

    @Test func fixedTimestampGivesIdenticalReports() throws {
        defer { try? FileManager.default.removeItem(atPath: reports + "-a"); try? FileManager.default.removeItem(atPath: reports + "-b") }
        for dir in ["-a", "-b"] {
            #expect(try omnisim(["validate", "--timestamp", "2025-01-31T12:00:00", "--report-dir", reports + dir, "scenarios/fault-npu-busy.yml"]).status == 0)
        }
        let a = try String(contentsOfFile: reports + "-a/fault-npu-busy.xml", encoding: .utf8)
        #expect(a == (try String(contentsOfFile: reports + "-b/fault-npu-busy.xml", encoding: .utf8)))
        #expect(a.contains("timestamp=\"2025-01-31T12:00:00\""))
        #expect(try omnisim(["validate", "--timestamp", "yesterday", "scenarios/2p1d.yml"]).status != 0)
    }

    @Test func planAsJSON() throws {
        let run = try omnisim(["plan", "--json", "scenarios/2p1d.yml"])
        #expect(run.status == 0)
        let plan = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        let values = plan?["values"] as? [String: String]
        #expect(values?["PREFILL_API_SERVER_LIST"] == "127.0.0.1:9000,127.0.0.2:9001")
        #expect((plan?["hosts"] as? [[String: Any]])?.count == 5)
    }

    @Test func listStepsAndTags() throws {
        let run = try omnisim(["deploy", "--list-steps", "--tags", "run_proxy", "scenarios/2p1d.yml"])
        #expect(run.status == 0)
        #expect(run.output.contains("  start-proxy  [run_proxy]  c0"))
        #expect(run.output.contains("- run-container-prefill  [run_docker]  p0,p1"))
        #expect(try omnisim(["deploy", "--tags", "run_dokcer", "scenarios/2p1d.yml"]).status != 0)
        #expect(try omnisim(["--version"]).output.contains("0.1.0"))
    }

    @Test func addNodeTakesTagSelections() throws {
        defer { try? FileManager.default.removeItem(atPath: reports + "-tags") }
        let run = try omnisim(["add-node", "scenarios/add-node-2p1d.yml", "--skip-tags", "fetch_log", "--report-dir", reports + "-tags"])
        #expect(run.status == 0, "\(run.output)")
        let report = try JUnitReader.read(path: reports + "-tags/add-node-2p1d.xml")[0]
        let fetch = report.suites.flatMap(\.cases).filter { $0.name.hasPrefix("fetch-logs @ ") }
        #expect(!fetch.isEmpty && fetch.allSatisfy { if case .skipped(let why) = $0.outcome { why.contains("not selected") } else { false } })
        let started = report.suites.flatMap(\.cases).first { $0.name == "start-prefill @ p1" }
        #expect(started?.outcome == .passed)
        // Tags of the main playbook that no add-node step carries are refused.
        let wrong = try omnisim(["add-node", "scenarios/add-node-2p1d.yml", "--tags", "run_docker"])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("unknown tag 'run_docker'; known tags: always, add_node, run_proxy, fetch_log, all"), "\(wrong.output)")
    }

    @Test func gateOverTheSampleReports() throws {
        defer { try? FileManager.default.removeItem(atPath: reports + "-gate") }
        #expect(try omnisim(["validate", "--report-dir", reports + "-gate", "scenarios/fault-exit.yml", "scenarios/1p1d.yml"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: reports + "-gate/all.xml"))
        #expect(try String(contentsOfFile: reports + "-gate/index.md", encoding: .utf8).contains("| [fault-exit](fault-exit.md) | passed |"))
        let gate = try omnisim(["gate", reports + "-gate"])
        #expect(gate.status == 0)
        #expect(gate.output.contains("gate: PASSED"))
        #expect(try omnisim(["gate", reports + "-gate", "--fail-on-skipped"]).status == 1)
    }
}
