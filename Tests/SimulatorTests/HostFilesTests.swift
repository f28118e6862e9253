import Foundation
import Testing
@testable import Simulator
import TestSupport

/// `omnisim validate` writes what each host ends with under `reports/<scenario>/hosts/<host>/<path>`.
@Suite struct HostFilesTests {
    /// Every file under `directory` on disk, by path relative to it.
    func written(_ directory: String) throws -> [String: [UInt8]] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [:] }
        var files: [String: [UInt8]] = [:]
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return files
    }

    func validate(_ scenario: String, into reports: String) -> ValidateJob.Outcome {
        var job = ValidateJob(path: scenario)
        job.reportDirectory = reports
        job.timestamp = Date(timeIntervalSince1970: 1_738_324_800)
        job.print = { _ in }
        return job.run()
    }

    @Test(arguments: ["1P1D", "2P1D"])
    func eachHostsTreeHoldsWhatLandedThere(_ shape: String) throws {
        let dir = Golden.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try Golden.writeScenario(shape, extra: "settings: { KV_CONNECTOR: LMCacheConnectorV1 }", in: dir)
        #expect(validate(scenario, into: dir.path + "/reports") == .passed)
        let hosts = dir.path + "/reports/golden-\(shape)/hosts"

        // What each host must hold: every file the run sent to a host on its machine (last write wins),
        // the reference's ranktables (its own gen directory and the global tree), and the proxy's nginx.conf.
        let r = Rehearsal.run(try ScenarioLoader.load(path: scenario))
        #expect(r.run.succeeded)
        let paths = Paths(r.cluster.settings)
        var sent: [String: [String: [UInt8]]] = [:]
        for entry in r.transcript {
            guard case .writeFile(let path, let content, _) = entry.operation, let host = r.cluster.host(named: entry.host) else { continue }
            sent[host.address, default: [:]][String(path.dropFirst())] = Array(content.utf8)
        }
        let global = try Golden.tree("ranktables/\(shape)/global")
        let servers = Set(r.cluster.hosts.filter { $0.role != .proxy }.map(\.name))
        for host in r.cluster.hosts {
            var expected = sent[host.address] ?? [:]
            for (name, bytes) in global { expected[String(paths.global.dropFirst()) + "/" + name] = bytes }
            for other in r.cluster.hosts where other.address == host.address && servers.contains(other.name) {
                let save = String(paths.localRanktableDirectory(other.role).dropFirst())
                for (name, bytes) in try Golden.tree("ranktables/\(shape)/gen/\(other.name)") { expected[save + "/" + name] = bytes }
            }
            if host.role == .proxy {
                expected["usr/local/nginx/conf/nginx.conf"] = try Golden.bytes("nginx/\(shape)/p-pd_score_balance__d-pd_score_balance.conf")
            }
            #expect(expected.keys.contains("tmp/scripts_path/" + (host.role == .proxy ? "run_proxy_server.sh" : host.role == .prefill
                                                                    ? "vllm_run_for_p.sh" : "vllm_run_for_d.sh")))
            for problem in Golden.treeDifferences(try written(hosts + "/" + host.name), expected) {
                Issue.record("\(shape) \(host.name): \(problem)")
            }
        }
        // No other directory than one per inventory host.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: hosts)) == Set(r.cluster.hosts.map(\.name)))
    }

    @Test func sameScenarioSameBytesAndNoStaleFiles() throws {
        let dir = Golden.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try Golden.writeScenario("2P1D", in: dir)
        _ = validate(scenario, into: dir.path + "/a")
        // A file left from an earlier run is gone after the next one.
        let stale = dir.path + "/b/golden-2P1D/hosts/p0/tmp/old.sh"
        try FileManager.default.createDirectory(atPath: (stale as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "old".write(toFile: stale, atomically: true, encoding: .utf8)
        _ = validate(scenario, into: dir.path + "/b")
        let a = try written(dir.path + "/a"), b = try written(dir.path + "/b")
        #expect(!a.isEmpty && a.keys.contains { $0.hasPrefix("golden-2P1D/hosts/") })
        #expect(Set(a.keys) == Set(b.keys))
        for (name, bytes) in a where b[name] != bytes { Issue.record("\(name) differs between two runs") }
    }

    @Test func standInsAreLeftOutAndUnsafeNamesStayInside() throws {
        let r = Rehearsal.run(try Golden.scenario("1P1D"))
        let settings = r.cluster.settings
        let p0 = try #require(r.cluster.host(named: "p0"))
        let paths = HostFiles.files(of: p0, in: r.world, cluster: r.cluster).map(\.path)
        let machine = r.world.machine(for: p0)
        // The machine does hold the code checkout, the logs and the model, but they are not listed.
        #expect(machine.files(under: settings.codePath).count > 0 && machine.files(under: settings.logPath).count > 0)
        #expect(!paths.contains { $0.hasPrefix(settings.codePath + "/") || $0.hasPrefix(settings.logPath + "/") })
        #expect(!paths.contains(settings.modelPath + "/config.json"))
        #expect(paths.contains(settings.scriptsPath + "/vllm_run_for_p.sh"))
        #expect(!paths.contains("/usr/local/nginx/conf/nginx.conf"), "nginx.conf is in c0's container, not p0's")
        #expect(HostFiles.component("..") == "%2E%2E" && HostFiles.component("a/b%") == "a%2Fb%25" && HostFiles.component("p0") == "p0")
    }
}
