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
