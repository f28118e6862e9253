import Foundation
import Testing
import TestSupport
@testable import Core

/// The sequence every run follows, driven through a scripted backend: what reaches the hosts, when the
/// rollback runs, and which findings keep a real run from starting.
@Suite struct OrchestrationTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios").path

    static func load(_ name: String) throws -> Scenario { try ScenarioLoader.load(path: "\(scenarios)/\(name).yml") }

    /// Add-node from the sample 1P1D to 2P1D, on a backend where p0, d0, d1 and c0 already run their
    /// containers and `fail` picks the failing task.
    static func addNode(failing fail: @escaping (HostTask) -> HostOutcome?) throws -> (Orchestration.AddNodeResult, ScriptedBackend, ScriptedBackend) {
        let plan = AddNodePlan(current: try load("1p1d"), target: try load("add-node-2p1d"))
        try #require(plan.ok, "\(plan.problems)")
        let running: Set<String> = ["p0", "d0", "d1", "c0"]
        let play = ScriptedBackend { task in
            if let answer = fail(task) { return answer }
            if case .listContainers(let names)? = task.operations.first, running.contains(task.target.name) {
                return ScriptedBackend.success(task, stdout: names.first! + "\n")
            }
            return nil
        }
        let cleanup = ScriptedBackend()
        let result = Orchestration.addNode(plan: plan, cluster: plan.target.cluster, backend: play, rollbackBackend: { cleanup })
        return (result, play, cleanup)
    }

    @Test func addNodeSucceedsWithoutRollbackAndTouchesOnlyTheNewHostAndTheProxy() throws {
        let (result, play, cleanup) = try Self.addNode(failing: { _ in nil })
        #expect(result.run.succeeded)
        #expect(result.rollback == nil && cleanup.received.isEmpty)
        // The running P and D hosts are only connected to, asked which containers exist, and asked for
        // their default route.
        for host in ["p0", "d0", "d1"] {
            #expect(Set(play.steps(on: host)).isSubset(of: ["connect", "inspect-containers", "detect-interface", "fetch-logs",
                                                            "create-executor-log-dir"]), "\(host): \(play.steps(on: host))")
        }
        #expect(play.steps(on: "p1").contains("start-prefill"))
        #expect(play.steps(on: "c0").contains("start-proxy"))
    }

    @Test func failureBeforeTheProxyRestartRemovesTheNewContainers() throws {
        let (result, play, cleanup) = try Self.addNode(failing: { task in
            task.step.id == "start-prefill" ? ScriptedBackend.failure(task) : nil
        })
        #expect(result.run.failure?.step.id == "start-prefill")
        #expect(!play.received.contains { $0.step.id == "kill-nginx" })
        let rollback = try #require(result.rollback)
        #expect(rollback.succeeded)
        let removals = cleanup.received.filter { $0.step.id == "rollback-remove-containers" }
        #expect(removals.map(\.target.name) == ["p1"])
        #expect(removals.first?.operations == [.removeContainers(["you_name_omni_infer_prefill_p1", "you_name_omni_infer_decode_p1"])])
    }

    @Test func failureAfterTheProxyWasStoppedIsNotRolledBack() throws {
        let (result, _, cleanup) = try Self.addNode(failing: { task in
            task.step.id == "start-proxy" ? ScriptedBackend.failure(task) : nil
        })
        #expect(result.run.failure?.step.id == "start-proxy")
        #expect(result.rollback == nil && cleanup.received.isEmpty)
    }

    @Test func failedConnectionCheckRunsNothingAndRollsNothingBack() throws {
        let (result, play, cleanup) = try Self.addNode(failing: { task in
            task.step.id == "connect" && task.target.name == "p1" ? ScriptedBackend.failure(task, .unreachable, message: "UNREACHABLE") : nil
        })
        #expect(result.run.failure?.step.id == "connect")
        #expect(Set(play.received.map(\.step.id)) == ["connect"])
        #expect(result.rollback == nil && cleanup.received.isEmpty)
    }

    /// A host that cannot be reached fails the play even in a step whose failures are ignored (as in
    /// ansible), so it is not asked again.
    @Test func unreachableHostStopsThePlayAndIsCutOff() throws {
        let scenario = try Self.load("2p1d")
        let backend = ScriptedBackend { task in
            task.step.id == "kill-python-prefill" && task.target.name == "p1" ? ScriptedBackend.failure(task, .unreachable, message: "UNREACHABLE: gone") : nil
        }
        let result = Orchestration.deploy(cluster: scenario.cluster, steps: MainPlaybook.steps(for: scenario.cluster), backend: backend)
        #expect(result.failure?.step.id == "kill-python-prefill")
        #expect(result.failure?.host == "p1" && result.failure?.message == "UNREACHABLE: gone")
        #expect(backend.steps(on: "p1").last == "kill-python-prefill")
        #expect(backend.closeCount == 1)
    }

    @Test func interruptStopsBeforeTheNextStep() throws {
        let scenario = try Self.load("2p1d")
        let backend = ScriptedBackend()
        var hooks = Orchestration.Hooks()
        hooks.shouldStop = { backend.received.contains { $0.step.id == "run-container-prefill" } }
        let result = Orchestration.deploy(cluster: scenario.cluster, steps: MainPlaybook.steps(for: scenario.cluster), backend: backend,
                                          hooks: hooks)
        #expect(result.failure?.message == "interrupted before this step")
        #expect(backend.received.last?.step.id == "run-container-prefill")
    }

    @Test func realRunsAreRefusedOnErrorsAndAlwaysOnUnsafeValues() {
        func finding(_ code: String, _ severity: Severity) -> Finding {
            Finding(code: code, severity: severity, subject: "p0", message: "m")
        }
        #expect(Orchestration.refusal(findings: [], force: false) == nil)
        #expect(Orchestration.refusal(findings: [finding("OMS112", .warning)], force: false) == nil)
        #expect(Orchestration.refusal(findings: [finding("OMS107", .error)], force: false) != nil)
        #expect(Orchestration.refusal(findings: [finding("OMS107", .error)], force: true) == nil)
        #expect(Orchestration.refusal(findings: [finding("OMS119", .error)], force: true)?.contains("OMS119") == true)
    }
}
