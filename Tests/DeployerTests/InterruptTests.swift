import Core
import Foundation
import Testing

/// SIGINT during `omnisim deploy --real`: no new steps start, the report is written with the
/// interruption as an error, and the exit status is 130.
@Suite(.serialized) struct InterruptTests {
    static let binary: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [".build/debug/omnisim", ".build/x86_64-unknown-linux-gnu/debug/omnisim", ".build/aarch64-unknown-linux-gnu/debug/omnisim"]
            .map { root.appendingPathComponent($0).path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test func sigintStopsBetweenStepsAndWritesTheReport() throws {
        let binary = try #require(Self.binary, "build the omnisim executable first (swift build)")
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try RealDeployTests.scenario(h)
        let reports = h.dir + "/reports"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["deploy", scenario, "--real", "--known-hosts", h.knownHosts, "--report-dir", reports]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let reader = Thread { box.data = output.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        // Interrupt once the first steps have run on the hosts.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !h.calls().contains(where: { $0.tool == "docker" && $0.args.first == "run" }) { usleep(50_000) }
        process.interrupt()
        process.waitUntilExit()
        while reader.isExecuting { usleep(10_000) }
        let text = String(decoding: box.data, as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted"))
        let report = try JUnitReader.read(path: reports + "/loopback-scenario.xml")[0]
        let interrupted = report.suites.flatMap(\.cases).filter {
            if case .error(let message, let type, _) = $0.outcome { type == "interrupted" || message.contains("interrupted") } else { false }
        }
        #expect(interrupted.count == 1)
        // Nothing ran after the interruption: no proxy was started.
        #expect(!h.calls().contains { $0.args.last?.hasSuffix("run_proxy_server.sh") == true })
    }

    @Test func failedRealDeployExitsNonZeroWithAReport() throws {
        let binary = try #require(Self.binary, "build the omnisim executable first (swift build)")
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let stranger = h.dir + "/stranger"
        try SSHDHarness.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        let scenario = try RealDeployTests.scenario(h, hostKey: stranger)
        let reports = h.dir + "/reports"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["deploy", scenario, "--real", "--known-hosts", h.knownHosts, "--report-dir", reports, "--connect-timeout", "3"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("FAILED at 'remove-containers-pd' on p0: authentication failed for root@"))
        let report = try JUnitReader.read(path: reports + "/loopback-scenario.xml")[0]
        #expect(report.errors >= 1)
        #expect(report.suites.flatMap(\.cases).contains { $0.name == "remove-containers-pd @ p0" })
    }
}
