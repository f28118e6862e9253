import Core
import Foundation
import Simulator
import Testing
import TestSupport
@testable import Deployer

/// The elastic flavour on the real path: the upstream 2P2D inventory, unchanged but for the harness's key and
/// port, deployed over SSH to loopback sshd machines at its own addresses; then a scale-out adds a third
/// decode instance. What each host received is replayed under bash and checked against the values the
/// upstream elastic template renders.
@Suite(.serialized) struct RealElasticTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios").path

    /// One sshd per machine address of the inventories, each machine with its own file system.
    static func harness(for inventories: [String]) throws -> (SSHDHarness, [String: String]) {
        var machineOf: [String: String] = [:]
        var first: [String: String] = [:]   // address → the first host on it, which names the machine
        var order: [String] = []
        for path in inventories {
            for host in try InventoryLoader.load(path: path).hosts {
                if first[host.address] == nil { first[host.address] = host.name; order.append(host.name) }
                machineOf[host.name] = first[host.address]
            }
        }
        let addresses = Dictionary(uniqueKeysWithValues: first.map { ($0.value, $0.key) })
        let h = try SSHDHarness(hosts: order, addresses: addresses, isolateFileSystems: true, interface: RealLaunchReplayTests.interface)
        return (h, machineOf)
    }

    /// A scenario for `inventory` on the harness: the harness's key and port in place of the inventory's
    /// key, every deployment path under the machines' shared root, the elastic flavour with LMCache.
    static func scenario(_ h: SSHDHarness, inventory path: String, name: String, running: String? = nil) throws -> Scenario {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let keyLine = try #require(text.split(separator: "\n").first { $0.contains("ansible_ssh_private_key_file:") })
        let inventory = text.replacingOccurrences(of: String(keyLine),
                                                  with: "    ansible_ssh_private_key_file: \(h.clientKey)\n    ansible_port: \(h.port)")
        try inventory.write(toFile: h.dir + "/\(name)-inventory.yml", atomically: true, encoding: .utf8)
        let fs = h.fileSystemRoot
        try RealLaunchReplayTests.makeCodeTree(under: fs)
        let settings = [
            "LOG_PATH: \(fs)/data/log_path", "MODEL_PATH: \(fs)/data/models/DeepSeek-R1-w8a8-fusion",
            "LOG_PATH_IN_EXECUTOR: \(fs)/data/log_path_in_executor", "CODE_PATH: \(fs)/data/local_code_path",
            "SCRIPTS_PATH: \(fs)/tmp/scripts_path", "KV_CONNECTOR: LMCacheConnectorV1",
        ]
        let file = h.dir + "/\(name).yml"
        try """
        name: \(name)
        inventory: \(name)-inventory.yml
        flavour: elastic
        \(running.map { "running: \($0).yml\n" } ?? "")settings:
        \(settings.map { "  " + $0 }.joined(separator: "\n"))

        """.write(toFile: file, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: file)
    }

    static func check(_ hosts: [String], _ h: SSHDHarness, machineOf: [String: String], cluster: Cluster,
                      calls: ArraySlice<(host: String, tool: String, args: [String])>, facts: [String: [String: String]]) throws {
        let d = RealLaunchReplayTests.Deployment(harness: h, scenario: try ScenarioLoader.load(path: h.dir + "/current.yml"), machineOf: machineOf)
        for name in hosts {
            let host = try #require(cluster.host(named: name))
            let starts = try RealLaunchReplayTests.replay(host, d, cluster: cluster, calls: calls)
            let pdRun = try #require(starts.first { $0.tool == "pd_run.sh" }, "\(name) started no pd_run.sh")
            for difference in UpstreamFacts.differences(name, argv: pdRun.argv, facts: facts[name] ?? [:]) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    @Test func realElasticDeployAndScaleOutStartWhatTheTemplateRenders() throws {
        let twoByTwo = Self.scenarios + "/inventories/upstream/omni_infer_inventory_used_for_2P2D.yml"
        let withD2 = Self.scenarios + "/inventories/2p3d-elastic.yml"
        let (h, machineOf) = try Self.harness(for: [twoByTwo, withD2])
        defer { h.stop() }
        let current = try Self.scenario(h, inventory: twoByTwo, name: "current")
        let cluster = current.cluster
        #expect(cluster.decodeInstances.map(\.group) == ["D0", "D1"])
        let result = Runner(cluster: cluster, steps: ElasticPlaybook.steps(for: cluster), backend: RealLaunchReplayTests.backend(h),
                            options: RealLaunchReplayTests.allButFetchLog).run()
        #expect(result.failure == nil, "\(result.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        try Self.check(["p0", "p1", "d0", "d1", "d2", "d3"], h, machineOf: machineOf, cluster: cluster, calls: ArraySlice(h.calls()),
                       facts: UpstreamFacts.elastic2P2D)
        // No container got the ranktable directory or variable.
        for call in h.calls() where call.tool == "docker" && call.args.first == "run" {
            #expect(!call.args.contains { $0.contains("ranktable") }, "\(call.args)")
        }

        // Scale-out: D2 (d4, d5) joins with --tags add_node; only its machines get containers, and the proxy
        // is restarted with its servers.
        let before = h.calls().count
        let target = try Self.scenario(h, inventory: withD2, name: "target", running: "current")
        var job = AddNodeJob(current: current, target: target, reportPath: h.dir + "/add-node.xml")
        let settings = RealLaunchReplayTests.sshSettings(h)
        job.settings = settings
        job.print = { _ in }
        let outcome = job.run()
        #expect(outcome.status == 0, "\(outcome.run?.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let added = h.calls().dropFirst(before)
        let containersRun = added.filter { $0.tool == "docker" && $0.args.first == "run" }.map(\.host)
        #expect(Set(containersRun) == ["d4", "d5"])
        let d4 = ["--local-decode-server-ip-list": "127.0.0.7,127.0.0.8", "--num-dp": "32", "--server-offset": "0", "--kv-rank": "2"]
        let d5 = ["--local-decode-server-ip-list": "127.0.0.7,127.0.0.8", "--num-dp": "32", "--server-offset": "16", "--kv-rank": "2"]
        try Self.check(["d4", "d5"], h, machineOf: machineOf, cluster: target.cluster, calls: added, facts: ["d4": d4, "d5": d5])
        // The running instances' containers were not recreated or restarted.
        #expect(!added.contains { $0.tool == "docker" && ["run", "rm", "stop"].contains($0.args.first ?? "") && !["d4", "d5"].contains($0.host) })

        // Scale-in back to 2P2D: the proxy is restarted without D2, then d4 and d5 are drained and removed.
        let beforeRemoval = h.calls().count
        let smaller = try Self.scenario(h, inventory: twoByTwo, name: "smaller", running: "target")
        var removal = RemoveNodeJob(current: target, target: smaller, reportPath: h.dir + "/remove-node.xml")
        removal.settings = settings
        removal.print = { _ in }
        let removed = removal.run()
        #expect(removed.status == 0, "\(removed.run?.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let removalCalls = Array(h.calls().dropFirst(beforeRemoval))
        let dockerCalls = removalCalls.filter { $0.tool == "docker" }.map { "\($0.host) \($0.args.first ?? "")" }
        // The proxy's restart comes first, then the leaving machines' drain and removal; nothing else is touched.
        let firstOnLeaving = try #require(dockerCalls.firstIndex { $0.hasPrefix("d4 ") || $0.hasPrefix("d5 ") })
        #expect(dockerCalls[..<firstOnLeaving].allSatisfy { $0.hasPrefix("p0 ") }, "\(dockerCalls)")
        #expect(Set(dockerCalls[firstOnLeaving...].map { String($0.prefix(2)) }) == ["d4", "d5"], "\(dockerCalls)")
        #expect(dockerCalls.contains("d4 rm") && dockerCalls.contains("d5 rm"))
        // The new proxy script lists D0 and D1 only.
        let proxyScript = try String(contentsOfFile: h.machineRoot("p0") + "/tmp/scripts_path/run_proxy_server.sh", encoding: .utf8)
        #expect(!proxyScript.contains("127.0.0.7") && proxyScript.contains("127.0.0.5:9100@15"))
    }
}
