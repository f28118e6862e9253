import Foundation
import Testing
@testable import Simulator

@Suite struct RehearsalTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios").path

    func load(_ name: String) throws -> Scenario { try ScenarioLoader.load(path: "\(Self.scenarios)/\(name).yml") }

    @Test func twoPOneDDeploysAndServes() throws {
        let r = Rehearsal.run(try load("2p1d"))
        #expect(r.run.succeeded, "\(r.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        #expect(r.passed)
        let d0 = r.world.machines["127.0.0.3"]!, d1 = r.world.machines["127.0.0.4"]!, p0 = r.world.machines["127.0.0.1"]!
        #expect(Set(d0.ports.keys) == Set([8100] + Array(9100...9115)))
        #expect(Set(d1.ports.keys) == Set(9101...9116))
        #expect(Set(p0.ports.keys) == [8000, 9000, 5568, 7000])
        #expect(Set(p0.containers.keys) == ["you_name_omni_infer_prefill_p0", "you_name_omni_infer_proxy_c0"])
        let config = p0.containers["you_name_omni_infer_proxy_c0"]!.files["/usr/local/nginx/conf/nginx.conf"]!.content
        let upstreams = NginxConfig.upstreams(in: config)
        #expect(upstreams.prefill == ["127.0.0.1:9000", "127.0.0.2:9001"])
        #expect(upstreams.decode.count == 32 && upstreams.decode.first == "127.0.0.3:9100" && upstreams.decode.last == "127.0.0.4:9116")
        #expect(upstreams.listen == 7000)
        // Every host ends with the same global ranktable: groups 0, 1 = P instances, 2 = D (2 servers, 32 devices).
        let global = "/tmp/ranktable_save_path/global/global_ranktable_merge.json"
        let text = d1.files[global]!.content
        #expect(p0.files[global]!.content == text)
        let groups = try JSONValue.parse(text)["server_group_list"]
        guard case .array(let list)? = groups else { Issue.record("no groups"); return }
        #expect(list.map { $0["group_id"] } == [.string("0"), .string("1"), .string("2")])
        #expect(list[2]["server_count"] == .int(2))
    }

    @Test func samplesRehearseCleanly() throws {
        for name in ["1p1d", "4p1d", "multinode-p"] {
            let r = Rehearsal.run(try load(name))
            #expect(r.run.succeeded && r.findings.isEmpty, "\(name): \(r.run.failure?.message ?? r.findings.first?.message ?? "")")
        }
        let multi = Rehearsal.run(try load("multinode-p"))
        #expect(multi.world.machines["10.0.0.1"]!.ports[6379] != nil, "the Ray head of the multi-node instance")
        #expect(multi.world.machines["10.0.0.2"]!.ports.isEmpty, "a follower serves no API")
    }

    @Test func transcriptHoldsTheRenderedCommands() throws {
        let r = Rehearsal.run(try load("2p1d"))
        let run = r.transcript.filter { $0.step == "run-container-prefill" && $0.host == "p1" }
        guard case .runContainer? = run.first?.operation, let command = run.first?.operation.command else { Issue.record("no docker run"); return }
        #expect(command.hasPrefix("docker run -it --shm-size=500g"))
        #expect(command.contains("--net=host") && command.contains("-v /tmp/ranktable_save_path:/tmp/ranktable_save_path"))
        #expect(command.hasSuffix("-d --name you_name_omni_infer_prefill_p1 omniinfer:v2"))
        let start = r.transcript.first { $0.step == "start-decode" && $0.host == "d1" }
        guard case .exec? = start?.operation, let exec = start?.operation.command else { Issue.record("no start"); return }
        for part in ["-e DECODE_DATA_PARALLEL_SIZE=", "-e NUM_SERVERS=16", "-e HOST=d1", "-e SOCKET_IFNAME=eth0", "-e PREFILL_POD_NUM=2", "-d you_name_omni_infer_decode_d1"] {
            #expect(exec.contains(part), "missing \(part)")
        }
    }

    @Test func stateCarriesFromStepToStep() throws {
        // run_server alone on fresh machines: no container exists, so docker exec fails.
        let r = Rehearsal.run(try load("2p1d"), options: RunOptions(tags: ["run_server"]))
        #expect(r.run.failure?.step.id == "write-mooncake-config")
        #expect(r.run.failure?.message.contains("No such file or directory") == true)
        let noScripts = Rehearsal.run(try load("4p1d"), options: RunOptions(tags: ["run_server"]))
        #expect(noScripts.run.failure?.step.id == "write-run-prefill")
    }

    @Test func limitAndSkipTags() throws {
        let r = Rehearsal.run(try load("2p1d"), options: RunOptions(skipTags: ["fetch_log"], limit: ["p0", "d0", "d1", "c0"]))
        let ran = r.run.steps.first { $0.step.id == "run-container-prefill" }!.results.map(\.host)
        #expect(ran == ["p0"])
        #expect(r.run.steps.last!.results.allSatisfy { if case .skipped = $0.status { true } else { false } })
    }

    @Test func ranktableGlobMatchingTwoFilesIsReportedNotSilent() throws {
        let r = Rehearsal.run(try load("silent-two-p-one-machine"))
        #expect(!r.run.succeeded)
        #expect(r.passed)
    }

    @Test func foreignProcessOnAPort() throws {
        let r = Rehearsal.run(try load("fault-port-busy"))
        #expect(r.run.failure?.step.id == "start-decode")
        #expect(r.run.failure?.message.contains("foreign-listener") == true)
        #expect(r.run.failure?.message.contains("the reference playbook reports success") == true)
    }

    @Test func everySampleScenarioMeetsItsExpectations() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.scenarios).filter { $0.hasSuffix(".yml") }.sorted()
        #expect(files.count >= 30)
        for file in files {
            let scenario = try ScenarioLoader.load(path: "\(Self.scenarios)/\(file)")
            if let running = scenario.runningPath {
                let current = try ScenarioLoader.load(path: running)
                if RemoveNodePlan.removesHosts(current: current, target: scenario) {
                    let r = RemoveNodeRehearsal.run(current: current, target: scenario)
                    #expect(r.meetsExpectations, "\(file): \(r.expectations.map(\.detail))")
                    continue
                }
                let r = AddNodeRehearsal.run(current: current, target: scenario)
                #expect(r.meetsExpectations, "\(file): \(r.expectations.map(\.detail))")
            } else {
                let r = Rehearsal.run(scenario)
                #expect(r.passed, "\(file): \(r.expectations.map(\.detail))")
            }
        }
    }

    @Test func reportsAreByteForByteReproducible() throws {
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        let a = try JUnitWriter.xml(Rehearsal.run(try load("fault-npu-busy")).report(timestamp: when))
        let b = try JUnitWriter.xml(Rehearsal.run(try load("fault-npu-busy")).report(timestamp: when))
        #expect(a == b)
        #expect(StateSummary(world: Rehearsal.run(try load("2p1d")).world) == StateSummary(world: Rehearsal.run(try load("2p1d")).world))
        let summary = StateSummary(world: Rehearsal.run(try load("2p1d")).world)
        #expect(try JSONDecoder().decode(StateSummary.self, from: Data(summary.json().utf8)) == summary)
    }

    @Test func expectationsCanFail() throws {
        var scenario = try load("2p1d")
        var expectation = Expectation(result: .fail)
        expectation.step = "run_docker"
        scenario.expectations = [expectation]
        let r = Rehearsal.run(scenario)
        #expect(!r.passed)
        #expect(r.expectations[0].detail.contains("expected a failure"))
    }

    @Test func addNodeLeavesTheRunningInstanceAlone() throws {
        let r = AddNodeRehearsal.run(current: try load("1p1d"), target: try load("add-node-2p1d"))
        #expect(r.passed)
        let diff = r.before.diff(to: r.after)
        #expect(diff["127.0.0.3"] == [] && diff["127.0.0.4"] == [])
        // p0 and c0 share 127.0.0.1: only the proxy script changed; nginx was restarted with the same command line.
        #expect(diff["127.0.0.1"] == ["~ file /tmp/scripts_path/run_proxy_server.sh"])
        #expect(r.upstreamsAfter.count == r.upstreamsBefore.count + 1)
        #expect(r.upstreamsAfter.contains("127.0.0.2:9001"))
        #expect(r.newNodesReadyBeforeProxy == true)
        #expect((r.referenceOrderNotReadyWindow ?? 0) > 60)
        #expect((r.proxyOutage ?? 100) < 10)
    }

    @Test func addNodeFaultRollsBack() throws {
        let r = AddNodeRehearsal.run(current: try load("1p1d"), target: try load("add-node-server-fails"))
        #expect(!r.passed && r.meetsExpectations)
        #expect(r.world.machines["127.0.0.2"]!.containers.isEmpty)
        #expect(r.upstreamsAfter == r.upstreamsBefore)
    }

    /// A redeploy over a running 2P1D whose p1 no longer answers stops at the connection check: the
    /// containers and servers running on the other hosts are left as they were.
    @Test func unreachableHostStopsARedeployBeforeAnyHostChanges() throws {
        let first = Rehearsal.run(try load("2p1d"))
        try #require(first.run.succeeded)
        let before = StateSummary(world: first.world)
        let backend = SimulatorBackend(cluster: first.cluster, world: first.world,
                                       faults: [.unreachable(host: "p1", step: Runner.connectStepID)],
                                       clock: first.backend.clock)
        let again = Runner(cluster: first.cluster, steps: MainPlaybook.steps(for: first.cluster), backend: backend).run()
        #expect(again.failure?.step.id == "connect" && again.failure?.host == "p1")
        #expect(again.failure?.message.contains("UNREACHABLE") == true)
        let changes = before.diff(to: StateSummary(world: first.world)).values.flatMap { $0 }
        #expect(changes.isEmpty, "\(changes)")
        let ran = again.steps.dropFirst().flatMap(\.results).filter { if case .skipped = $0.status { false } else { true } }
        #expect(ran.isEmpty, "steps ran after the failed connection check: \(ran.map(\.host))")
    }

    /// Add-node with the new host unreachable: nothing runs anywhere, and there is nothing to roll back.
    @Test func addNodeToAnUnreachableHostChangesNothing() throws {
        var target = try load("add-node-2p1d")
        target.faults = [ScenarioFault(kind: .unreachable, host: "p1", step: Runner.connectStepID)]
        let r = AddNodeRehearsal.run(current: try load("1p1d"), target: target)
        #expect(r.run?.failure?.step.id == "connect")
        #expect(r.rollback == nil)
        let changes = r.before.diff(to: r.after).values.flatMap { $0 }
        #expect(changes.isEmpty, "\(changes)")
    }

    /// The connection check covers exactly the hosts that the selected steps reach.
    @Test func connectionCheckCoversTheTargetedHosts() throws {
        let scenario = try load("2p1d")
        func connected(_ options: RunOptions) -> [String] {
            Rehearsal.run(scenario, options: options).run.steps.first { $0.step.id == "connect" }?.results.map(\.host) ?? []
        }
        #expect(connected(RunOptions()) == scenario.cluster.hosts.map(\.name))
        #expect(connected(RunOptions(limit: ["d0", "c0"])) == ["d0", "c0"])
        #expect(connected(RunOptions(tags: ["run_proxy"])) == ["c0"])
        #expect(connected(RunOptions(skipTags: ["always"])) == scenario.cluster.hosts.map(\.name))
    }

    /// An inventory host may be called `localhost`: the steps that run once on the executor are told apart
    /// by the runner, not by the name.
    @Test func inventoryHostNamedLocalhostIsNotTheExecutor() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-localhost-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inventory = try String(contentsOfFile: "\(Self.scenarios)/inventories/2p1d.yml", encoding: .utf8)
        try inventory.replacingOccurrences(of: "        c0:\n", with: "        localhost:\n")
            .write(toFile: dir + "/inventory.yml", atomically: true, encoding: .utf8)
        try "name: localhost-proxy\ninventory: inventory.yml\n".write(toFile: dir + "/s.yml", atomically: true, encoding: .utf8)
        let scenario = try ScenarioLoader.load(path: dir + "/s.yml")
        let proxy = try #require(scenario.cluster.host(named: "localhost"))
        let r = Rehearsal.run(scenario)
        #expect(r.run.succeeded, "\(r.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        #expect(r.world.machine(for: proxy).containers[r.cluster.containerName(proxy)] != nil)
        #expect(r.world.executor.containers.isEmpty)
    }
}

/// The executor is not an inventory host: a host may be called `localhost` without taking its place in
/// reports or being struck by the executor's faults.
@Suite struct ExecutorTargetTests {
    /// The 1P1D sample with its C host renamed `localhost`, in a temporary directory.
    func renamedScenario() throws -> Scenario {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-localhost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("inventories"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inventory = try String(contentsOfFile: RehearsalTests.scenarios + "/inventories/1p1d.yml", encoding: .utf8)
        #expect(inventory.contains("        c0:\n"))
        try inventory.replacingOccurrences(of: "        c0:\n", with: "        localhost:\n")
            .write(to: dir.appendingPathComponent("inventories/1p1d.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: RehearsalTests.scenarios + "/1p1d.yml", toPath: dir.appendingPathComponent("1p1d.yml").path)
        return try ScenarioLoader.load(path: dir.appendingPathComponent("1p1d.yml").path)
    }

    @Test func aHostNamedLocalhostKeepsItsOwnColumn() throws {
        let r = Rehearsal.run(try renamedScenario())
        #expect(r.run.succeeded, "\(r.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let page = SummaryPage(scenario: "1p1d", cluster: r.cluster, findings: r.findings, run: r.run, expectations: r.expectations).markdown()
        let rows = page.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(rows.contains(["", "step", "tags", "p0", "d0", "d1", "localhost", "executor", ""]))
        // Marks in the columns p0, d0, d1, localhost, executor.
        func marks(_ step: String) -> [String]? { rows.first { $0.count == 9 && $0[1] == step }.map { Array($0[3...7]) } }
        #expect(marks("cluster-values") == ["", "", "", "", "✔"])
        #expect(marks("run-container-proxy") == ["", "", "", "✔", ""])
    }

    @Test func aFaultOnHostLocalhostDoesNotStrikeTheExecutor() throws {
        var scenario = try renamedScenario()
        scenario.faults = [ScenarioFault(kind: .exit, host: "localhost", step: "prepare-staging")]
        let r = Rehearsal.run(scenario)
        #expect(r.run.succeeded, "the executor's staging step is not the host's: \(r.run.failure?.message ?? "")")
        scenario.faults = [ScenarioFault(kind: .exit, host: "localhost", step: "run-container-proxy")]
        let struck = Rehearsal.run(scenario).run.failure
        #expect(struck?.step.id == "run-container-proxy" && struck?.host == "localhost")
    }
}
