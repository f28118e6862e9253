import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// The A3 two-prefill flavour on the upstream A3 inventory, against what the upstream A3 template renders
/// for it: PREFILL_POD_NUM 4 (P hosts, not host_ip values), four single-node P instances with NODE_IP_LIST
/// of their machine and NNODES 2, each PA container with ZMQ port 5568 and LOG_PATH /data/log_path/a and
/// each PB container with 5569 and /data/log_path/b, and the per-host pd_run.sh options of the template's
/// prefill script.
@Suite struct A3FlavourTests {
    static func cluster() throws -> Cluster { try ElasticFlavourTests.load("4p1d-a3-two-prefill").cluster }

    @Test func derivedValuesAreTheA3Templates() throws {
        let cluster = try Self.cluster()
        #expect(cluster.derived.prefillPodNum == 4)
        #expect(cluster.derived.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001,127.0.0.1:9002,127.0.0.2:9003")
        #expect(cluster.derived.prefillMergeRanktableList.split(separator: ";").count == 4)
        #expect(cluster.decodeInstance.serverIPList == "127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8")
        #expect(cluster.decodeInstance.dataParallelSize == 64)
        #expect(cluster.decodeInstance.kvRank == 4)
        let instances = cluster.prefillInstances
        #expect(instances.map { $0.hosts.map(\.name) } == [["p0"], ["p1"], ["p2"], ["p3"]])
        #expect(instances.map(\.nodeIPList) == ["127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"])
        #expect(instances.map(\.nodeCount) == [2, 2, 2, 2])
        #expect(instances.allSatisfy { !$0.isMultiNode })
    }

    /// What each P host's container and server start are given, replayed under bash from the commands and
    /// the run script the steps render for it.
    @Test func eachPrefillInstanceGetsItsOwnContainerPortAndLogs() throws {
        let cluster = try Self.cluster()
        let renderer = StepRenderer(cluster: cluster)
        let steps = A3Playbook.steps(for: cluster)
        var facts = HostFacts()
        facts.defaultInterface = "enp189s0f0"
        let expected: [(host: String, zmq: String, log: String, rank: String, port: String, ranktable: String)] = [
            ("p0", "5568", "/data/log_path/a", "0", "8000", "local_ranktable_127.0.0.1_01234567.json"),
            ("p1", "5568", "/data/log_path/a", "1", "8001", "local_ranktable_127.0.0.2_01234567.json"),
            ("p2", "5569", "/data/log_path/b", "2", "8002", "local_ranktable_127.0.0.1_89101112131415.json"),
            ("p3", "5569", "/data/log_path/b", "3", "8003", "local_ranktable_127.0.0.2_89101112131415.json"),
        ]
        for e in expected {
            let host = try #require(cluster.host(named: e.host))
            var commands: [String] = []
            var files: [String: String] = [:]
            for step in steps where ["run-container-prefill-a", "run-container-prefill-b", "write-run-prefill", "start-prefill-single"].contains(step.id)
                && step.hosts.matches(host, in: cluster) {
                guard case .operations(let ops) = renderer.render(step, on: .host(host), facts: facts) else { continue }
                for op in ops {
                    if case .writeFile(let path, let content, _) = op { files[path] = content } else if let command = op.command { commands.append(command) }
                }
            }
            #expect(commands.count == 2, "\(e.host): one container, one server start")
            #expect(commands.first?.contains("--name you_name_omni_infer_prefill_\(e.host) ") == true, "\(e.host)")
            // The machine as the earlier steps leave it: the log directories, the scripts and the code.
            let directories = ["/data/log_path/a", "/data/log_path/b", "/tmp/scripts_path", Paths.containerScripts]
            let starts = try LaunchReplay.run(commands: commands, files: files, directories: directories)
            let pdRun = try #require(starts.first { $0.tool == "pd_run.sh" }, "\(e.host)")
            #expect(pdRun.env["VLLM_LLMDATADIST_ZMQ_PORT"] == e.zmq, "\(e.host)")
            #expect(pdRun.env["LOG_PATH"] == e.log, "\(e.host)")
            let facts: [String: String] = [
                "--vllm-llmdatadist-zmq-port": e.zmq, "--log-dir": e.log, "--kv-rank": e.rank, "--kv-engine-id": e.rank,
                "--master-port": e.port, "--base-api-port": String(9000 + Int(e.rank)!), "--tp": "8", "--prefill-pod-num": "4",
                "--kv-parallel-size": "1", "--rank-table-path": "/tmp/ranktable_save_path/prefill_config/" + e.ranktable,
                "--local-decode-server-ip-list": "127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8",
            ]
            for difference in UpstreamFacts.differences(e.host, argv: pdRun.argv, facts: facts, absent: []) {
                Issue.record(Comment(rawValue: difference))
            }
        }
    }

    /// Two instances on one machine share nothing: the port plan has each machine's ports once.
    @Test func portPlanHasNoCollisionPerMachine() throws {
        let plan = PortPlan(try Self.cluster())
        let machine1 = plan.bindings.filter { $0.machine == "127.0.0.1" }.map { "\($0.port) \($0.host)" }
        #expect(machine1.sorted() == ["5568 p0", "5569 p2", "7000 c0", "8000 p0", "8002 p2", "9000 p0", "9002 p2"])
        #expect(RuleSet.check(try Self.cluster()).filter { ["OMS106", "OMS109", "OMS113"].contains($0.code) }.isEmpty)
    }

    @Test func theUpstreamSampleFailsForItsStatedReasons() throws {
        let rehearsal = Rehearsal.run(try ElasticFlavourTests.load("4p1d-a3-two-prefill"))
        #expect(rehearsal.passed, "\(rehearsal.expectations.map(\.detail))")
        let codes = Set(rehearsal.findings.map(\.code))
        #expect(codes.isSuperset(of: ["OMS125", "OMS129"]))
        // The same inventory under the main template is refused: two P instances per machine there clash.
        let main = Cluster(inventory: rehearsal.scenario.inventory, settings: DeploymentSettings())
        #expect(RuleSet.check(main).filter { $0.code == "OMS106" }.map(\.subject) == ["p2", "p3"])
    }

    /// A PA and a PB host on one machine in the same group, and a P host in neither, are refused.
    @Test func slotsAreCheckedPerMachine() throws {
        let cluster = try Self.cluster()
        var hosts = cluster.hosts
        let i = try #require(hosts.firstIndex { $0.name == "p2" })
        hosts[i].groupNames = ["P", "PA"]
        let j = try #require(hosts.firstIndex { $0.name == "p3" })
        hosts[j].groupNames = ["P"]
        let findings = RuleSet.check(Cluster(hosts: hosts, globals: cluster.globals, settings: cluster.settings)).filter { $0.code == "OMS106" }
        #expect(findings.map(\.subject) == ["p2", "p3"])
        #expect(findings.first?.message.contains("both PA instances on 127.0.0.1") == true)
        #expect(findings.last?.message.contains("neither PA nor PB") == true)
    }
}
