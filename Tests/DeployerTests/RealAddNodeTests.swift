import Core
import Foundation
import Simulator
import Testing
@testable import Deployer

/// Add-node for real: 1P1D deployed on loopback sshd hosts, then p1 added; only p1 and the proxy change.
@Suite(.serialized) struct RealAddNodeTests {
    static let lmcache = "    etcd_port: 6000\n    mooncake_master_port: 6001\n    mooncake_metrics_port: 6002"

    /// The running 1P1D scenario, the 2P1D target, and SSH settings for the harness.
    static func setUp(_ h: SSHDHarness) throws -> (current: Scenario, target: Scenario, settings: SSHBackend.Settings) {
        let lmcacheSettings = "  KV_CONNECTOR: LMCacheConnectorV1"
        let current = try ScenarioLoader.load(path: try RealDeployTests.scenario(
            h, extraVars: lmcache, prefill: ["p0"], name: "current", extraSettings: lmcacheSettings))
        let target = try ScenarioLoader.load(path: try RealDeployTests.scenario(
            h, extraVars: lmcache, prefill: ["p0", "p1"], name: "target", extraSettings: lmcacheSettings))
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: h.knownHosts)
        settings.connectTimeout = 2
        return (current, target, settings)
    }

    @Test func oneP1DToTwoP1D() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let (current, target, settings) = try Self.setUp(h)
        let base = Runner(cluster: current.cluster, steps: MainPlaybook.steps(for: current.cluster), backend: SSHBackend(settings: settings)).run()
        let baseFailure = base.failure.map { "\($0.step.id) on \($0.host): \($0.message)" }
        #expect(baseFailure == nil)
        let before = h.calls().count

        var job = AddNodeJob(current: current, target: target, reportPath: h.dir + "/add-node.xml")
        job.settings = settings
        job.print = { _ in }
        let outcome = job.run()
        #expect(outcome.status == 0)
        let calls = h.calls().dropFirst(before)
        // The running hosts only answered questions; p0's machine also hosts c0, whose nginx was restarted.
        for call in calls where ["d0", "d1"].contains(call.host) {
            #expect(call.tool == "ip" || (call.tool == "docker" && call.args.first == "inspect"), "\(call)")
        }
        for call in calls where call.host == "p0" && call.tool == "docker" && call.args.first != "inspect" {
            #expect(call.args.contains("you_name_omni_infer_proxy_c0"), "\(call)")
        }
        #expect(calls.contains { $0.host == "p1" && $0.tool == "docker" && $0.args.first == "run" })
        #expect(calls.contains { $0.host == "p0" && $0.args.contains("-d") && $0.args.last?.hasSuffix("run_proxy_server.sh") == true })
        let proxyScript = try String(contentsOfFile: h.dir + "/deploy/scripts/run_proxy_server.sh", encoding: .utf8)
        #expect(proxyScript.contains("\(h.addresses["p0"]!):9000,\(h.addresses["p1"]!):9001"))

        // The real add-node performed exactly what the rehearsal performed.
        let rehearsal = AddNodeRehearsal.run(current: current, target: target)
        #expect(rehearsal.passed)
        let real = outcome.run!.steps.flatMap { run in run.results.flatMap { r in r.operations.map { "\(run.step.id) @ \(r.host): \($0.summary)" } } }
        let simulated = rehearsal.run!.steps.flatMap { run in run.results.flatMap { r in r.operations.map { "\(run.step.id) @ \(r.host): \($0.summary)" } } }
        #expect(real == simulated)
    }

    @Test func unreachableNewNodeLeavesTheInstanceAlone() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let (current, target, settings) = try Self.setUp(h)
        _ = Runner(cluster: current.cluster, steps: MainPlaybook.steps(for: current.cluster), backend: SSHBackend(settings: settings)).run()
        h.kill("p1")
        let before = h.calls().count
        var job = AddNodeJob(current: current, target: target, reportPath: h.dir + "/add-node.xml")
        job.settings = settings
        job.print = { _ in }
        let outcome = job.run()
        #expect(outcome.status == 1)
        #expect(outcome.run?.failure?.host == "p1")
        #expect(outcome.run?.failure?.message.contains("UNREACHABLE") == true)
        // Found by the connection check: no host received a command, so there was nothing to roll back.
        #expect(outcome.run?.failure?.step.id == "connect")
        #expect(outcome.rollback == nil)
        let after = Array(h.calls().dropFirst(before))
        #expect(after.isEmpty, "\(after.map { "\($0.host) \($0.tool) \($0.args.first ?? "")" })")
        #expect(FileManager.default.fileExists(atPath: h.dir + "/add-node.xml"))
    }
}
