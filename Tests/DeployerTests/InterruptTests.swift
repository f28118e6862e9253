import Core
import Foundation
import Testing

/// `omnisim deploy --real` as a user runs it, against loopback sshd hosts: interrupts, a host that cannot
/// be reached, and progress read through a pipe while the run goes on.
@Suite(.serialized) struct InterruptTests {
    static let binary: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [".build/debug/omnisim", ".build/x86_64-unknown-linux-gnu/debug/omnisim", ".build/aarch64-unknown-linux-gnu/debug/omnisim"]
            .map { root.appendingPathComponent($0).path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The omnisim binary running with stdout and stderr on a pipe, read as it writes.
    final class CLIRun: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var data = Data()

        init(_ arguments: [String]) throws {
            let binary = try #require(InterruptTests.binary, "build the omnisim executable first (swift build)")
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            process.standardInput = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let chunk = handle.availableData
                guard let self, !chunk.isEmpty else { return }
                self.lock.lock(); self.data.append(chunk); self.lock.unlock()
            }
            try process.run()
        }

        var output: String {
            lock.lock(); defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }

        /// Waits until the output has a line starting with `prefix`, while the process still runs.
        func waitForLine(startingWith prefix: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && process.isRunning {
                if output.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return true }
                usleep(20_000)
            }
            return false
        }

        /// Waits for the exit and returns the status and everything printed.
        func finish() -> (status: Int32, output: String) {
            process.waitUntilExit()
            usleep(100_000)
            return (process.terminationStatus, output)
        }
    }

    static func deployArguments(_ h: SSHDHarness, _ scenario: String) -> [String] {
        ["deploy", scenario, "--real", "--known-hosts", h.knownHosts, "--report-dir", h.dir + "/reports", "--connect-timeout", "3"]
    }

    static func interruptedCases(_ report: TestReport) -> [TestCase] {
        report.suites.flatMap(\.cases).filter {
            if case .error(let message, let type, _) = $0.outcome { type == "interrupted" || message.contains("interrupted") } else { false }
        }
    }

    @Test func sigintStopsBetweenStepsAndWritesTheReport() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let run = try CLIRun(Self.deployArguments(h, try RealDeployTests.scenario(h)))
        // Interrupt once the first steps have run on the hosts.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !h.calls().contains(where: { $0.tool == "docker" && $0.args.first == "run" }) { usleep(50_000) }
        run.process.interrupt()
        let (status, text) = run.finish()
        #expect(status == 130, "\(text)")
        #expect(text.contains("interrupted"))
        let report = try JUnitReader.read(path: h.dir + "/reports/loopback-scenario.xml")[0]
        #expect(Self.interruptedCases(report).count == 1)
        // Nothing ran after the interruption: no proxy was started.
        #expect(!h.calls().contains { $0.args.last?.hasSuffix("run_proxy_server.sh") == true })
    }

    /// Servers that never come up keep `wait-decode` waiting (up to 1,800 s); SIGINT ends the wait at once.
    /// Progress lines arrive through the pipe as each step ends, not when the run exits.
    @Test func sigintDuringAReadinessWaitStopsAtOnce() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        try "".write(toFile: h.statePath + "/servers-never-listen", atomically: true, encoding: .utf8)
        let run = try CLIRun(Self.deployArguments(h, try RealDeployTests.scenario(h)))
        #expect(run.waitForLine(startingWith: "- connect", seconds: 30), "no progress line while the run was going: \(run.output)")
        let waiting = run.waitForLine(startingWith: "- start-decode", seconds: 60)
        try #require(waiting, "the run did not reach the decode wait: \(run.output)")
        usleep(300_000)
        try #require(run.process.isRunning, "the run ended without waiting: \(run.output)")
        let sent = Date()
        run.process.interrupt()
        let (status, text) = run.finish()
        let elapsed = Date().timeIntervalSince(sent)
        #expect(status == 130, "\(text)")
        #expect(elapsed < 1, "took \(elapsed) s to stop after SIGINT")
        let report = try JUnitReader.read(path: h.dir + "/reports/loopback-scenario.xml")[0]
        let interrupted = Self.interruptedCases(report)
        #expect(!interrupted.isEmpty && interrupted.allSatisfy { $0.name.hasPrefix("wait-decode @ ") }, "\(interrupted.map(\.name))")
    }

    /// SIGTERM is handled like SIGINT, with the conventional status 143.
    @Test func sigtermDuringAReadinessWaitExits143() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        try "".write(toFile: h.statePath + "/servers-never-listen", atomically: true, encoding: .utf8)
        let run = try CLIRun(Self.deployArguments(h, try RealDeployTests.scenario(h)))
        try #require(run.waitForLine(startingWith: "- start-decode", seconds: 60), "\(run.output)")
        usleep(300_000)
        run.process.terminate()
        let (status, text) = run.finish()
        #expect(status == 143, "\(text)")
        #expect(FileManager.default.fileExists(atPath: h.dir + "/reports/loopback-scenario.xml"))
    }

    @Test func hostKeyMismatchStopsBeforeTheFirstStep() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let stranger = h.dir + "/stranger"
        try SSHDHarness.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        let run = try CLIRun(Self.deployArguments(h, try RealDeployTests.scenario(h, hostKey: stranger)))
        let (status, text) = run.finish()
        #expect(status == 1)
        #expect(text.contains("FAILED at 'connect' on p0: authentication failed for root@"), "\(text)")
        #expect(text.contains("nothing was run on any host"))
        let report = try JUnitReader.read(path: h.dir + "/reports/loopback-scenario.xml")[0]
        #expect(report.errors >= 1)
        #expect(report.suites.flatMap(\.cases).contains { $0.name == "connect @ p0" })
        #expect(h.calls().isEmpty, "commands ran: \(h.calls().map(\.tool))")
    }

    /// A redeploy over a running deployment whose p1 has gone away: the connection check finds it before
    /// the running containers on p0, d0 and d1 are stopped, so no host receives a single command.
    @Test func unreachableHostChangesNothingOnTheOthers() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try RealDeployTests.scenario(h)
        let first = try CLIRun(Self.deployArguments(h, scenario)).finish()
        try #require(first.status == 0, "\(first.output)")
        let before = h.calls().count
        h.kill("p1")
        let (status, text) = try CLIRun(Self.deployArguments(h, scenario)).finish()
        #expect(status == 1, "\(text)")
        #expect(text.contains("FAILED at 'connect' on p1: UNREACHABLE"), "\(text)")
        #expect(text.contains("nothing was run on any host"))
        let after = Array(h.calls().dropFirst(before))
        #expect(after.isEmpty, "the failed run still ran: \(after.map { "\($0.host) \($0.tool) \($0.args.first ?? "")" })")
        let report = try JUnitReader.read(path: h.dir + "/reports/loopback-scenario.xml")[0]
        let connect = report.suites.flatMap(\.cases).filter { $0.name.hasPrefix("connect @ ") }
        #expect(connect.count == 5)
        #expect(report.suites.flatMap(\.cases).contains { if case .skipped = $0.outcome { $0.name == "remove-containers-pd @ p0" } else { false } })
    }
}
