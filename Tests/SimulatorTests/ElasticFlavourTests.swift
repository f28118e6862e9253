import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// The elastic flavour on the upstream 2P2D inventory, checked against the values the upstream elastic
/// template renders for it (its "Register all values" Jinja evaluated per host with jinja2 3.1.6): D0 =
/// d0, d1 with IP list .3,.4, dp 32, offsets {d0: 0, d1: 16}; D1 = d2, d3 with .5,.6 and {d2: 0, d3: 16};
/// P hosts get SERVER_IP_LIST .5,.3,.4,.6; both D instances take kv rank and engine id 2 with
/// kv_parallel_size 3; the proxy has 64 decode upstreams. Launches are read from the commands each host
/// received, replayed under bash.
@Suite struct ElasticFlavourTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios").path

    static func load(_ name: String) throws -> Scenario { try ScenarioLoader.load(path: "\(scenarios)/\(name).yml") }

    @Test func derivedValuesAreTheElasticTemplates() throws {
        let cluster = try Self.load("2p2d-elastic").cluster
        #expect(cluster.settings.flavour == .elastic)
        #expect(cluster.decodeInstances.map(\.group) == ["D0", "D1"])
        #expect(cluster.decodeInstances.map(\.serverIPList) == ["127.0.0.3,127.0.0.4", "127.0.0.5,127.0.0.6"])
        #expect(cluster.decodeInstances.map(\.dataParallelSize) == [32, 32])
        #expect(cluster.decodeInstances.map(\.offsetLiteral) == ["{'d0': 0, 'd1': 16}", "{'d2': 0, 'd3': 16}"])
        #expect(cluster.decodeInstances.map(\.kvRank) == [2, 2])
        #expect(cluster.decodeInstance.serverIPList == "127.0.0.5,127.0.0.3,127.0.0.4,127.0.0.6")
        #expect(cluster.derived.decodeAPIServerList == "127.0.0.3:9100@15,127.0.0.4:9101@15,127.0.0.5:9100@15,127.0.0.6:9101@15")
        #expect(cluster.derived.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001")
        #expect(cluster.derived.kvParallelSize == 3)
    }

    @Test func eachDecodeInstanceStartsWithItsOwnValues() throws {
        let rehearsal = Rehearsal.run(try Self.load("2p2d-elastic"), options: RunOptions(skipTags: ["fetch_log"]))
        #expect(rehearsal.run.succeeded, "\(rehearsal.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        for (host, facts) in UpstreamFacts.elastic2P2D.sorted(by: { $0.key < $1.key }) {
            let machine = rehearsal.world.machine(for: try #require(rehearsal.cluster.host(named: host)))
            let starts = try LaunchReplayTests.replay(host, in: rehearsal.run, machine: machine)
            let pdRun = try #require(starts.first { $0.tool == "pd_run.sh" }, "\(host) starts no pd_run.sh")
            for difference in UpstreamFacts.differences(host, argv: pdRun.argv, facts: facts) { Issue.record(Comment(rawValue: difference)) }
        }
        // The servers each D host actually runs: 16 API servers on its own ports.
        let d1 = rehearsal.world.machine(for: rehearsal.cluster.host(named: "d1")!)
        #expect(d1.processes.filter { $0.command.hasPrefix("python -m vllm serve") }.count == 16)
    }

    @Test func containersHaveNoRanktableMount() throws {
        let rehearsal = Rehearsal.run(try Self.load("2p2d-elastic"), options: RunOptions(tags: ["run_docker"]))
        let runs = rehearsal.transcript.compactMap { entry -> ContainerRun? in
            if case .runContainer(let run) = entry.operation { return run } else { return nil }
        }
        #expect(runs.map(\.name).sorted() == ["you_name_omni_infer_decode_d0", "you_name_omni_infer_decode_d1", "you_name_omni_infer_decode_d2",
                                               "you_name_omni_infer_decode_d3", "you_name_omni_infer_prefill_p0", "you_name_omni_infer_prefill_p1",
                                               "you_name_omni_infer_proxy_c0"])
        for run in runs {
            #expect(!run.mounts.contains(DeploymentSettings().ranktableSavePath), "\(run.name)")
            #expect(!run.environment.contains { $0.name == EnvName.ranktableSavePath }, "\(run.name)")
        }
    }

    /// The proxy serves the union of both decode instances: every D host's servers, in group D's order.
    @Test func proxyServesEveryDecodeInstance() throws {
        let rehearsal = Rehearsal.run(try Self.load("2p2d-elastic"), options: RunOptions(skipTags: ["fetch_log"]))
        let c0 = try #require(rehearsal.cluster.host(named: "c0"))
        let container = try #require(rehearsal.world.machine(for: c0).containers[rehearsal.cluster.containerName(c0)])
        let conf = try #require(container.files[World.nginxConfig]).content
        let servers = conf.split(separator: "\n").filter { $0.contains("server 127.0.0.") }.map {
            String($0.trimmingCharacters(in: .whitespaces).dropFirst("server ".count).prefix { $0 != " " })
        }
        var expected = ["127.0.0.1:9000", "127.0.0.2:9001"]
        for (ip, base) in [("127.0.0.3", 9100), ("127.0.0.4", 9101), ("127.0.0.5", 9100), ("127.0.0.6", 9101)] {
            expected += (base..<base + 16).map { "\(ip):\($0)" }
        }
        #expect(servers == expected)
    }

    @Test func tagsFollowTheElasticTemplate() throws {
        let scenario = try Self.load("2p2d-elastic")
        // add_node and delete_node are never-tags: a full run leaves the scale-out block out.
        let full = Rehearsal.run(scenario, options: RunOptions(skipTags: ["fetch_log"]))
        let ran = Set(full.run.steps.filter { $0.results.contains { if case .skipped = $0.status { false } else { true } } }.map(\.step.id))
        #expect(!ran.contains("scale-out-run-container-decode"))
        #expect(ran.contains("start-decode"))
        // On the deployed machines, a server restart (stop_server, run_server) also restarts the proxy.
        let backend = SimulatorBackend(scenario: scenario)
        let cluster = scenario.cluster
        let first = Orchestration.deploy(cluster: cluster, steps: ElasticPlaybook.steps(for: cluster), backend: backend)
        #expect(first.succeeded)
        let restart = Orchestration.deploy(cluster: cluster, steps: ElasticPlaybook.steps(for: cluster), backend: backend,
                                           options: RunOptions(tags: ["stop_server", "run_server"]))
        #expect(restart.succeeded, "\(restart.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let restarted = Set(restart.steps.filter { $0.results.contains { if case .skipped = $0.status { false } else { true } } }.map(\.step.id))
        #expect(restarted.isSuperset(of: ["kill-nginx", "start-proxy", "start-decode"]))
        #expect(!restarted.contains("run-container-decode"))
        // There is no ranktable tag to ask for.
        #expect(RunOptions(tags: ["ranktable"]).unknownTag(in: .elastic)?.contains("unknown tag 'ranktable'") == true)
        #expect(RunOptions(tags: ["ranktable"]).unknownTag(in: .main) == nil)
        #expect(RunOptions(tags: ["add_node"]).unknownTag(in: .elastic) == nil)
        #expect(RunOptions(tags: ["delete_node"]).unknownTag(in: .elastic)?.contains("omnisim remove-node") == true)
    }

    /// The other elastic sample scenarios fail for their stated reasons.
    @Test(arguments: ["elastic-flat-decode", "elastic-hccl", "2p2d-main-template"])
    func samplesFailForTheirReasons(_ name: String) throws {
        let rehearsal = Rehearsal.run(try Self.load(name))
        #expect(rehearsal.passed, "\(rehearsal.expectations.map(\.detail))")
    }
}

/// Scale-out under the elastic template (`--tags add_node`): a new decode instance or prefill instance
/// joins a running 2P2D deployment.
@Suite struct ElasticScaleOutTests {
    static func rehearse(_ name: String) throws -> AddNodeRehearsal {
        let target = try ElasticFlavourTests.load(name)
        let current = try ElasticFlavourTests.load("2p2d-elastic")
        return AddNodeRehearsal.run(current: current, target: target, options: RunOptions(skipTags: ["fetch_log"]))
    }

    @Test func aNewDecodeGroupStartsAsItsOwnInstance() throws {
        let rehearsal = try Self.rehearse("elastic-scale-out-decode")
        #expect(rehearsal.plan.ok, "\(rehearsal.plan.problems.map(\.description))")
        let run = try #require(rehearsal.run)
        #expect(run.succeeded, "\(run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        #expect(rehearsal.plan.added.map(\.name) == ["d4", "d5"])
        // Machines of the running instances are untouched; the proxy's host only gets the new proxy script.
        let changes = rehearsal.before.diff(to: rehearsal.after)
        for machine in ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"] {
            #expect(changes[machine]?.isEmpty ?? true, "\(machine): \(changes[machine] ?? [])")
        }
        #expect(rehearsal.upstreamsBefore.count == 2 + 64)
        #expect(rehearsal.upstreamsAfter.count == 2 + 96)
        #expect(rehearsal.upstreamsAfter.suffix(32) == (9100..<9116).map { "127.0.0.7:\($0)" } + (9101..<9117).map { "127.0.0.8:\($0)" })
        #expect(rehearsal.newNodesReadyBeforeProxy == true)
        // The new instance's servers carry D2's own list, dp and offsets.
        let cluster = rehearsal.plan.target.cluster
        let d2 = try #require(cluster.decodeInstances.first { $0.group == "D2" })
        #expect(d2.serverIPList == "127.0.0.7,127.0.0.8")
        #expect(d2.offsetLiteral == "{'d4': 0, 'd5': 16}")
        // Nothing ran on the running instances' hosts but the shared chmod of bind_cpu.sh, which the elastic
        // template tags add_node on every P and D host.
        let touched = Set(run.steps.flatMap { step in step.results.filter { !$0.operations.isEmpty }.map { "\(step.step.id)@\($0.host)" } })
        let onOld = touched.filter { entry in ["d0", "d1", "d2", "d3", "p0", "p1"].contains { entry.hasSuffix("@\($0)") } }
        #expect(onOld.allSatisfy { $0.hasPrefix("connect@") || $0.hasPrefix("scale-out-inspect@") || $0.hasPrefix("chmod-bind-") }, "\(onOld.sorted())")
    }

    @Test func aNewPrefillInstanceJoins() throws {
        let rehearsal = try Self.rehearse("elastic-scale-out-prefill")
        let run = try #require(rehearsal.run)
        #expect(run.succeeded)
        #expect(rehearsal.plan.added.map(\.name) == ["p2"])
        #expect(rehearsal.upstreamsAfter.count == 3 + 64)
    }

    /// A host added to a running decode group is refused before anything runs.
    @Test func growingARunningDecodeInstanceIsRefused() throws {
        let path = ElasticFlavourTests.scenarios + "/inventories/2p3d-elastic.yml"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "        D2:\n          hosts:\n", with: "")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-elastic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/inv.yml", atomically: true, encoding: .utf8)
        try """
        running: \(ElasticFlavourTests.scenarios)/2p2d-elastic.yml
        inventory: inv.yml
        flavour: elastic
        settings: {DOCKER_IMAGE_ID: "omniinfer:v2", KV_CONNECTOR: LMCacheConnectorV1}
        """.write(toFile: dir + "/s.yml", atomically: true, encoding: .utf8)
        let target = try ScenarioLoader.load(path: dir + "/s.yml")
        let plan = AddNodePlan(current: try ElasticFlavourTests.load("2p2d-elastic"), target: target)
        #expect(!plan.ok)
        #expect(plan.problems.map(\.code) == ["OMS206", "OMS206"])
        #expect(plan.problems.first?.message.contains("joins the running decode instance D1") == true)
    }
}

/// Scale-in under the elastic template, as its README describes it: the proxy restarted without the
/// leaving instance, then its servers drained with SIGTERM and its containers removed.
@Suite struct ElasticScaleInTests {
    @Test func aDecodeInstanceLeavesWithoutTouchingTheOthers() throws {
        let rehearsal = RemoveNodeRehearsal.run(current: try ElasticFlavourTests.load("2p2d-elastic"),
                                                target: try ElasticFlavourTests.load("elastic-scale-in-decode"))
        #expect(rehearsal.plan.ok, "\(rehearsal.plan.problems.map(\.description))")
        let run = try #require(rehearsal.run)
        #expect(run.succeeded, "\(run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        #expect(rehearsal.plan.removed.map(\.name) == ["d2", "d3"])
        // The proxy stops routing to D1 before D1's servers are told to stop.
        let ids = run.steps.filter { $0.results.contains { $0.status == .ok } }.map(\.step.id)
        #expect(ids.firstIndex(of: "wait-proxy")! < ids.firstIndex(of: "terminate-servers")!)
        #expect(rehearsal.upstreamsBefore.count == 66)
        #expect(rehearsal.upstreamsAfter.count == 34)
        #expect(!rehearsal.upstreamsAfter.contains { $0.hasPrefix("127.0.0.5:") || $0.hasPrefix("127.0.0.6:") })
        #expect(rehearsal.proxyOutage != nil)
        let changes = rehearsal.before.diff(to: rehearsal.after)
        for machine in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] { #expect(changes[machine]?.isEmpty ?? true, "\(machine)") }
        for address in ["127.0.0.5", "127.0.0.6"] {
            let machine = try #require(rehearsal.world.machines[address])
            #expect(machine.containers.isEmpty, "\(address) keeps a container")
            #expect(machine.ports.isEmpty, "\(address) still listens")
        }
    }

    @Test func preconditionsRefuseWhatCannotBeRemoved() throws {
        let running = try ElasticFlavourTests.load("2p2d-elastic")
        let half = RemoveNodePlan(current: running, target: try ElasticFlavourTests.load("elastic-scale-in-half-instance"))
        #expect(half.problems.map(\.code) == ["OMS212"])
        // The main flavour has no scale-in procedure.
        var mainRunning = running, mainTarget = try ElasticFlavourTests.load("elastic-scale-in-decode")
        mainRunning.settings.flavour = .main
        mainTarget.settings.flavour = .main
        #expect(RemoveNodePlan(current: mainRunning, target: mainTarget).problems.map(\.code).contains("OMS211"))
        // Removing every D host leaves nothing to decode.
        var noDecode = try ElasticFlavourTests.load("elastic-scale-in-decode")
        noDecode.inventory.hosts.removeAll { $0.role == .decode }
        #expect(RemoveNodePlan(current: running, target: noDecode).problems.map(\.code).contains("OMS213"))
    }
}
