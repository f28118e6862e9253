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

    /// pd_run.sh's options as the replayed run script hands them over, by option name.
    static func pdRunOptions(_ host: String, _ rehearsal: Rehearsal) throws -> [String: String] {
        let machine = rehearsal.world.machine(for: try #require(rehearsal.cluster.host(named: host)))
        let starts = try LaunchReplayTests.replay(host, in: rehearsal.run, machine: machine)
        let pdRun = try #require(starts.first { $0.tool == "pd_run.sh" }, "\(host) starts no pd_run.sh")
        var options: [String: String] = [:]
        var i = 0
        while i < pdRun.argv.count {
            if pdRun.argv[i].hasPrefix("--"), i + 1 < pdRun.argv.count { options[pdRun.argv[i]] = pdRun.argv[i + 1]; i += 2 } else { i += 1 }
        }
        return options
    }

    @Test func eachDecodeInstanceStartsWithItsOwnValues() throws {
        let rehearsal = Rehearsal.run(try Self.load("2p2d-elastic"), options: RunOptions(skipTags: ["fetch_log"]))
        #expect(rehearsal.run.succeeded, "\(rehearsal.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let expected: [(host: String, list: String, offset: String)] = [
            ("d0", "127.0.0.3,127.0.0.4", "0"), ("d1", "127.0.0.3,127.0.0.4", "16"),
            ("d2", "127.0.0.5,127.0.0.6", "0"), ("d3", "127.0.0.5,127.0.0.6", "16"),
        ]
        for (host, list, offset) in expected {
            let o = try Self.pdRunOptions(host, rehearsal)
            #expect(o["--local-decode-server-ip-list"] == list, "\(host)")
            #expect(o["--global-decode-server-ip-list"] == list, "\(host)")
            #expect(o["--num-dp"] == "32", "\(host)")
            #expect(o["--num-servers"] == "16", "\(host)")
            #expect(o["--server-offset"] == offset, "\(host)")
            #expect(o["--kv-rank"] == "2" && o["--kv-engine-id"] == "2" && o["--kv-parallel-size"] == "3", "\(host)")
            #expect(o["--kv-role"] == "kv_consumer", "\(host)")
            #expect(o["--rank-table-path"] == nil && o["--global-rank-table-path"] == nil, "\(host): the elastic template passes no ranktables")
        }
        for (host, rank) in [("p0", "0"), ("p1", "1")] {
            let o = try Self.pdRunOptions(host, rehearsal)
            #expect(o["--local-decode-server-ip-list"] == "127.0.0.5,127.0.0.3,127.0.0.4,127.0.0.6", "\(host)")
            #expect(o["--kv-role"] == "kv_both", "\(host)")
            #expect(o["--tp"] == "16", "\(host)")
            #expect(o["--kv-rank"] == rank && o["--kv-parallel-size"] == "3", "\(host)")
            #expect(o["--rank-table-path"] == nil, "\(host)")
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
        #expect(runs.count == 7)
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
    }

    /// The other elastic sample scenarios fail for their stated reasons.
    @Test(arguments: ["elastic-flat-decode", "elastic-hccl", "2p2d-main-template"])
    func samplesFailForTheirReasons(_ name: String) throws {
        let rehearsal = Rehearsal.run(try Self.load(name))
        #expect(rehearsal.passed, "\(rehearsal.expectations.map(\.detail))")
    }
}
