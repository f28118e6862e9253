import Foundation
import Testing
@testable import Simulator

/// The invariants judged after each step: each fails the step it is meant for, with its name, and the
/// README lists exactly these.
@Suite struct InvariantTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func load(_ name: String) throws -> Scenario { try ScenarioLoader.load(path: Self.root.path + "/scenarios/\(name).yml") }

    func failure(_ r: Rehearsal) -> (step: String, host: String, message: String)? {
        r.run.failure.map { ($0.step.id, $0.host, $0.message) }
    }

    @Test func aServerThatCannotStartFailsItsStep() throws {
        let f = try #require(failure(Rehearsal.run(try load("fault-npu-busy"))))
        #expect(f.message.hasPrefix("the command returned 0, but NPU"))
        #expect(f.message.hasSuffix("[background-starts-run]"))
    }

    @Test func aRanktableSearchThatFindsNothingFailsItsStep() throws {
        let f = try #require(failure(Rehearsal.run(try load("silent-hostname"))))
        #expect(f.step == "find-ranktables-decode" && f.host == "d0")
        #expect(f.message.hasSuffix("[local-ranktables-found]"))
    }

    /// Without the servers (run_server skipped), the proxy starts with upstreams nobody serves.
    @Test func aProxyWithDeadUpstreamsFailsItsStep() throws {
        let r = Rehearsal.run(try load("2p1d"), options: RunOptions(skipTags: ["run_server"]))
        let f = try #require(failure(r))
        #expect(f.step == "start-proxy" && f.host == "c0")
        // Two prefill servers and 2 × 16 decode servers.
        #expect(f.message.contains("nginx routes to 34 upstream(s) that nobody listens on: 127.0.0.1:9000, 127.0.0.2:9001"), "\(f.message)")
        #expect(f.message.hasSuffix("[proxy-upstreams-served]"))
    }

    @Test func theReadmeListsEveryInvariant() throws {
        let readme = try String(contentsOfFile: Self.root.path + "/README.md", encoding: .utf8)
        let listed = readme.split(separator: "\n").filter { $0.hasPrefix("| `") && $0.contains("` | ") }
            .compactMap { line in line.split(separator: "`").dropFirst().first.map(String.init) }
        let names = Invariants.all.map(\.name)
        #expect(Set(names).count == names.count)
        for invariant in Invariants.all {
            #expect(readme.contains("| `\(invariant.name)` | \(invariant.summary) |"), "README lacks \(invariant.name)")
        }
        #expect(Set(listed).isSuperset(of: names))
    }
}
