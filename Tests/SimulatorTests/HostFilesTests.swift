import Foundation
import Testing
@testable import Simulator
import TestSupport

/// `omnisim validate` writes what each host ends with under `reports/<scenario>/hosts/<host>/<path>`.
@Suite struct HostFilesTests {
    /// Every file under `directory` on disk, by path relative to it, following symbolic links as a reader
    /// of the reports would.
    func written(_ directory: String) throws -> [String: [UInt8]] {
        let fm = FileManager.default
        var files: [String: [UInt8]] = [:]
        func walk(_ relative: String) throws {
            let path = relative.isEmpty ? directory : directory + "/" + relative
            for name in try fm.contentsOfDirectory(atPath: path) {
                let child = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: directory + "/" + child, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue { try walk(child) } else { files[child] = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + child))) }
            }
        }
        if fm.fileExists(atPath: directory) { try walk("") }
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
        let paths = HostFiles.entries(of: p0, in: r.world, cluster: r.cluster).map(\.path)
        let machine = r.world.machine(for: p0)
        // The machine does hold the code checkout, the logs and the model, but they are not listed.
        #expect(machine.files(under: settings.codePath).count > 0 && machine.files(under: settings.logPath).count > 0)
        #expect(!paths.contains { $0.hasPrefix(settings.codePath + "/") || $0.hasPrefix(settings.logPath + "/") })
        #expect(!paths.contains(settings.modelPath + "/config.json"))
        #expect(paths.contains(settings.scriptsPath + "/vllm_run_for_p.sh"))
        #expect(!paths.contains("/usr/local/nginx/conf/nginx.conf"), "nginx.conf is in c0's container, not p0's")
        #expect(HostFiles.component("..") == "%2E%2E" && HostFiles.component("a/b%") == "a%2Fb%25" && HostFiles.component("p0") == "p0")
    }

    /// A tree pushed whole to every machine (the global ranktables of a large cluster) is written once and
    /// linked from each host, so the output grows with the number of hosts.
    @Test func sharedTreesAreWrittenOnce() throws {
        let dir = Golden.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefill = (0..<20).map { i in
            "        p\(i): {ansible_host: \"10.0.1.\(i + 1)\", node_rank: 0, kv_rank: \(i), host_ip: \"10.0.1.\(i + 1)\", ascend_rt_visible_devices: \"0,1\", node_port: \(8000 + i), api_port: \(9000 + i)}"
        }
        let inventory = """
        all:
          children:
            P:
              hosts:
        \(prefill.joined(separator: "\n"))
            D:
              hosts:
                d0: {ansible_host: "10.0.2.1", node_rank: 0, host_ip: "10.0.2.1", ascend_rt_visible_devices: "0,1", node_port: 8100, api_port: 9100}
            C:
              hosts:
                c0: {ansible_host: "10.0.1.1", node_rank: 0, node_port: 7000}
        """
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try inventory.write(to: dir.appendingPathComponent("inventory.yml"), atomically: true, encoding: .utf8)
        try "inventory: inventory.yml\n".write(to: dir.appendingPathComponent("wide.yml"), atomically: true, encoding: .utf8)
        #expect(validate(dir.path + "/wide.yml", into: dir.path + "/reports") == .passed)
        let hosts = dir.path + "/reports/wide/hosts"
        let r = Rehearsal.run(try ScenarioLoader.load(path: dir.path + "/wide.yml"))
        let global = Paths(r.cluster.settings).global
        let p0 = r.world.machine(for: try #require(r.cluster.host(named: "p0")))
        let expected = Dictionary(uniqueKeysWithValues: p0.files(under: global).map {
            (String($0.dropFirst(global.count + 1)), Array(p0.files[$0]!.content.utf8))
        })
        #expect(expected.count > 32, "the global tree is large enough to be shared")
        #expect(try FileManager.default.contentsOfDirectory(atPath: hosts + "/.shared") == ["1"])
        for host in r.cluster.hosts {
            let path = hosts + "/" + host.name + global
            // The first P host's machine merged the tree itself; every other machine received the one copy.
            let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
            #expect(host.address == p0.address ? link == nil : link?.hasSuffix(".shared/1") == true, "\(host.name): \(link ?? "a directory")")
            for problem in Golden.treeDifferences(try written(path), expected) { Issue.record("\(host.name): \(problem)") }
        }
        // Regular files: the shared copy once, plus a few scripts and local ranktables per host.
        let regular = FileManager.default.enumerator(atPath: hosts)!.allObjects.count
        #expect(regular < expected.count + r.cluster.hosts.count * 20, "\(regular) entries")
    }
}
