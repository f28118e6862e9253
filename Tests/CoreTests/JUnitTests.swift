import Foundation
import Testing
@testable import Core

@Suite struct JUnitTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/junit").path
    /// The windyroad JUnit schema (Apache-2.0, shipped unmodified with the fixtures).
    static let xsd = fixtures + "/JUnit-windyroad.xsd"

    var sample: TestReport {
        let when = Date(timeIntervalSince1970: 1_738_324_800)  // 2025-01-31T12:00:00Z
        return TestReport(name: "omnisim demo", suites: [
            TestSuite(name: "deploy.run_docker", timestamp: when, properties: [("scenario", "demo")], cases: [
                TestCase(name: "run-container @ p0", classname: "omnisim.demo.deploy.run_docker", time: 3, systemOut: "$ docker run\nexit 0"),
                TestCase(name: "run-container @ p1", classname: "omnisim.demo.deploy.run_docker", time: 0.1234,
                         outcome: .failure(message: "exit 125: \u{1B}[31mpull <denied> & \"quoted\"\u{1B}[0m", type: "failed", details: "bell\u{07} nul\u{0} ok")),
                TestCase(name: "run-container @ d0", classname: "omnisim.demo.deploy.run_docker", outcome: .error(message: "unreachable", type: "unreachable", details: "")),
                TestCase(name: "run-container @ c0", classname: "omnisim.demo.deploy.run_docker", outcome: .skipped(reason: "tags not selected")),
            ]),
        ])
    }

    func xmllint(_ path: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--schema", Self.xsd, path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func writtenReportValidatesAgainstTheSchema() throws {
        #expect(FileManager.default.fileExists(atPath: Self.xsd), "the JUnit XSD is missing at \(Self.xsd)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString).xml").path
        try JUnitWriter.write(sample, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try xmllint(path)
        #expect(result.status == 0, "xmllint (package libxml2-utils) must validate the report: \(result.output)")
        // The streamed file is the in-memory document, and no temporary file is left beside it.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == JUnitWriter.xml(sample))
        let directory = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".\(name).tmp") }.isEmpty)
    }

    @Test func transcriptOutputIsTrimmedAndCut() {
        #expect(" \t eth0\r\n".trimmedTail(100) == "eth0")
        #expect("\n\n".trimmedTail(100) == "" && "".trimmedTail(5) == "")
        #expect("\u{3000}wide\u{3000}\n".trimmedTail(100) == "wide")
        #expect("ü x ü".trimmedTail(100) == "ü x ü")
        #expect("  0123456789\n".trimmedTail(4) == "…6789")
    }

    @Test func unwritableTargetsThrow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("junit-dir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: AtomicFile.WriteError.self) { try JUnitWriter.write(sample, to: directory) }
        try "x".write(toFile: directory + "/file", atomically: false, encoding: .utf8)
        #expect(throws: (any Error).self) { try JUnitWriter.write(sample, to: directory + "/file/report.xml") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["file"])
    }

    @Test func textIsSanitisedAndEscaped() throws {
        let xml = try JUnitWriter.xml(sample)
        #expect(!xml.contains("\u{1B}"))
        #expect(!xml.contains("\u{07}") && !xml.contains("\u{0}"))
        #expect(xml.contains("pull &lt;denied&gt; &amp; &quot;quoted&quot;"))
        #expect(!xml.contains("CDATA"))
        #expect(xml.contains("timestamp=\"2025-01-31T12:00:00\""))
        #expect(xml.contains("time=\"0.123\""))
        #expect(xml.contains("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""))
        #expect(xml.contains("== run-container @ p0\n$ docker run"))
        #expect(try JUnitWriter.xml(sample) == xml)
    }

    @Test func sanitiserDropsEscapesAndControls() {
        #expect(XMLText.sanitize("a\u{1B}[1;31mred\u{1B}[0m b") == "ared b")
        #expect(XMLText.sanitize("t\u{1B}]0;title\u{07}x") == "tx")
        #expect(XMLText.sanitize("keep\ttab\nnl\u{0B}\u{FFFE}") == "keep\ttab\nnl")
    }

    @Test func roundTrip() throws {
        let reports = try JUnitReader.parse(Array(try JUnitWriter.xml(sample).utf8), file: "mem.xml")
        let cases = reports[0].suites[0].cases
        #expect(cases.map(\.name) == sample.suites[0].cases.map(\.name))
        #expect(cases[2].outcome == .error(message: "unreachable", type: "unreachable", details: ""))
        #expect(cases[3].outcome == .skipped(reason: "tags not selected"))
        #expect(reports[0].failures == 1 && reports[0].skipped == 1)
    }

    @Test func otherDialects() throws {
        let pytest = try JUnitReader.read(path: "\(Self.fixtures)/pytest.xml")[0]
        #expect(pytest.tests == 3 && pytest.failures == 1 && pytest.skipped == 1)
        let surefire = try JUnitReader.read(path: "\(Self.fixtures)/surefire.xml")[0]
        #expect(surefire.errors == 1)
        #expect(surefire.suites[0].properties.first?.value == "17")
        let nested = try JUnitReader.read(path: "\(Self.fixtures)/nested.xml")[0]
        #expect(nested.suites.map(\.name) == ["inner-a", "inner-b"])
        #expect(nested.failures == 1)
        if case .failure(let message, _, _) = nested.suites[0].cases[1].outcome { #expect(message == "no message attribute") }
    }

    @Test func malformedAndForeignFiles() {
        do {
            _ = try JUnitReader.parse(Array("<testsuites>\n<testsuite name='a'>\n</testsuites>".utf8), file: "bad.xml")
            Issue.record("no error")
        } catch let e as InputError {
            #expect(e.diagnostics[0].code == "OMS900")
            #expect(e.diagnostics[0].location?.line == 3)
        } catch { Issue.record("\(error)") }
        do {
            _ = try JUnitReader.parse(Array("<?xml version='1.0'?>\n\n<html/>".utf8), file: "page.xml")
            Issue.record("no error")
        } catch let e as InputError {
            #expect(e.diagnostics[0].code == "OMS901")
            #expect(e.diagnostics[0].location?.line == 3)
        } catch { Issue.record("\(error)") }
    }

    @Test func gateThresholds() throws {
        let report = sample
        let strict = Gate.evaluate([("a.xml", report)], options: GateOptions())
        #expect(!strict.passed)
        #expect(strict.text.contains("FAIL  omnisim.demo.deploy.run_docker run-container @ p1"))
        #expect(strict.text.contains("ERROR omnisim.demo.deploy.run_docker run-container @ d0: unreachable"))
        #expect(Gate.evaluate([("a.xml", report)], options: GateOptions(maxFailures: 2)).passed)
        #expect(!Gate.evaluate([("a.xml", report)], options: GateOptions(maxFailures: 2, failOnSkipped: true)).passed)
        let clean = TestReport(name: "x", suites: [TestSuite(name: "s", timestamp: Date(), cases: [TestCase(name: "c", classname: "k")])])
        #expect(Gate.evaluate([("b.xml", clean)], options: GateOptions(failOnSkipped: true)).passed)
    }

    @Test func atomicWriteKeepsTheOldFileOnFailure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)").path
        let path = "\(dir)/report.xml"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("old", to: path)
        try AtomicFile.write("new", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("x", to: dir) }
        chmod(dir, 0o500)
        defer { chmod(dir, 0o700) }
        if getuid() != 0 {
            #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("newer", to: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }.isEmpty)
    }
}
