import Foundation
import Testing
@testable import Simulator

/// Writing a validation's outputs: two halves at once, errors from either reported.
@Suite struct ReportWritingTests {
    struct Failure: Error, Equatable { let side: String }

    final class Flags: @unchecked Sendable {
        private let lock = NSLock()
        private var set: Set<String> = []
        func mark(_ flag: String) { lock.lock(); set.insert(flag); lock.unlock() }
        var marked: Set<String> { lock.lock(); defer { lock.unlock() }; return set }
    }

    @Test func bothSidesRunAndTheOtherSidesValueComesBack() throws {
        let flags = Flags()
        let value = try Concurrently.run({ flags.mark("elsewhere"); return 42 }, whileHere: { flags.mark("here") })
        #expect(value == 42)
        #expect(flags.marked == ["elsewhere", "here"])
    }

    @Test func errorsFromEitherSideAreThrown() {
        let flags = Flags()
        #expect(throws: Failure(side: "here")) {
            try Concurrently.run({ flags.mark("elsewhere"); throw Failure(side: "elsewhere") }, whileHere: { throw Failure(side: "here") })
        }
        // The other side still ran to its end before the error came back.
        #expect(flags.marked == ["elsewhere"])
        #expect(throws: Failure(side: "elsewhere")) {
            try Concurrently.run({ throw Failure(side: "elsewhere") }, whileHere: {})
        }
    }

    @Test func anUnwritableReportDirectoryMakesTheInputUnusable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-reports-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "not a directory".write(toFile: dir + "/reports", atomically: true, encoding: .utf8)
        final class Lines: @unchecked Sendable { var text = "" }
        let lines = Lines()
        var job = ValidateJob(path: RehearsalTests.scenarios + "/1p1d.yml")
        job.reportDirectory = dir + "/reports"
        job.print = { lines.text += $0 + "\n" }
        #expect(job.run() == .unusable)
        #expect(lines.text.contains("cannot write reports"))
        #expect(try String(contentsOfFile: dir + "/reports", encoding: .utf8) == "not a directory")
    }
}

/// `omnisim validate` of one scenario streams its reports: each file it writes holds what the report model,
/// the state summary and the host files of the same rehearsal hold, and the JSON parses.
@Suite struct StreamedReportsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let timestamp = Date(timeIntervalSince1970: 1_738_324_800)

    @Test(arguments: ["2p1d", "silent-trailing-comma", "multinode-p"])
    func streamedFilesHoldWhatTheModelHolds(_ name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-stream-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = Self.root.path + "/scenarios/\(name).yml"
        var job = ValidateJob(path: path)
        job.reportDirectory = dir
        job.timestamp = Self.timestamp
        job.print = { _ in }
        #expect(job.run() != .unusable)

        let rehearsal = Rehearsal.run(try ScenarioLoader.load(path: path))
        let junit = try String(contentsOfFile: "\(dir)/\(name).xml", encoding: .utf8)
        #expect(junit == (try JUnitWriter.xml(rehearsal.report(timestamp: Self.timestamp))))
        // libxml2's own checker accepts the streamed file as JUnit.
        let xmllint = Process()
        xmllint.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        xmllint.arguments = ["xmllint", "--noout", "--schema", Self.root.path + "/Tests/CoreTests/Fixtures/junit/JUnit-windyroad.xsd",
                             "\(dir)/\(name).xml"]
        xmllint.standardError = FileHandle.nullDevice
        try xmllint.run()
        xmllint.waitUntilExit()
        #expect(xmllint.terminationStatus == 0, "xmllint rejects the streamed \(name).xml")

        let state = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)/state.json"))
        let parsed = try JSONSerialization.jsonObject(with: state) as? [String: Any]
        let machines = try #require(parsed?["machines"] as? [String: Any])
        #expect(Set(machines.keys) == Set(rehearsal.world.machineOrder + ["executor"]))
        let text = String(decoding: state, as: UTF8.self)
        #expect(text == StateSummary(world: rehearsal.world).json())
        // Printed as json.dump(indent=4) prints it (the printer the golden ranktables check), plus a newline.
        #expect(text == (try JSONValue.parse(text)).printed() + "\n")

        for host in rehearsal.cluster.hosts {
            for (file, entry) in HostFiles.entries(of: host, in: rehearsal.world, cluster: rehearsal.cluster) {
                guard case .file(let expected) = entry else { continue }
                let written = try String(contentsOfFile: "\(dir)/\(name)/hosts/\(host.name)\(file)", encoding: .utf8)
                #expect(written == expected.content, "\(host.name):\(file)")
            }
        }
    }
}
