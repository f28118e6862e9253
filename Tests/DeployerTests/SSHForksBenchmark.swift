import Core
import Foundation
import Testing
@testable import Deployer

/// Prints how `--forks` changes the wall time of per-host work on 8 loopback hosts. A benchmark, not a
/// timed test: it asserts only that the work was done with one handshake per host. Runs when
/// `OMNISIM_BENCH_SSH=1`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["OMNISIM_BENCH_SSH"] == "1"))
struct SSHForksBenchmark {
    @Test func forksOneVersusEight() throws {
        let names = (0..<8).map { "h\($0)" }
        let h = try SSHDHarness(hosts: names)
        defer { h.stop() }
        let hosts = names.map { Host(name: $0, address: h.addresses[$0]!, nodePort: 7000, duty: .proxy,
                                     ssh: SSHSettings(port: h.port, privateKeyFile: h.clientKey)) }
        let cluster = Cluster(hosts: hosts)
        // Five steps of one second of per-host work each.
        let steps = (0..<5).map { Step(id: "work-\($0)", name: "work", tags: ["bench"], hosts: .all, action: .removeProcTrace) }
        final class Sleeping: Backend {
            let inner: SSHBackend
            init(_ inner: SSHBackend) { self.inner = inner }
            func perform(_ tasks: [HostTask]) -> [HostOutcome] { inner.perform(tasks.map { var t = $0; if t.step.action != .connect { t.operations = [.shell("sleep 1")] }; return t }) }
            func close() { inner.close() }
        }
        var figures: [(Int, Double)] = []
        for forks in [1, 8] {
            var settings = SSHBackend.Settings()
            settings.hostKeys = HostKeyPolicy(knownHostsPath: h.knownHosts)
            settings.forks = forks
            let backend = SSHBackend(settings: settings)
            let start = Date()
            let result = Runner(cluster: cluster, steps: steps, backend: Sleeping(backend)).run()
            figures.append((forks, Date().timeIntervalSince(start)))
            #expect(result.succeeded)
            #expect(backend.handshakeCount == 8)
        }
        print(String(format: "ssh forks benchmark: 8 hosts × 5 steps × 1 s: --forks 1 %.2f s, --forks 8 %.2f s, speed-up %.1f×",
                     figures[0].1, figures[1].1, figures[0].1 / figures[1].1))
    }
}
