import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// pd_run.sh's model against the reference: every recorded pd_run.sh start, fed to the model, leads to the
/// recorded start_api_servers.py start that follows it; and the rehearsal fails when a run script hands
/// pd_run.sh an option or a word it rejects.
@Suite struct PDRunProgramTests {
    @Test(arguments: ["1P1D.json", "2P1D.json", "4P1D.json", "2P1D-LMCache.json", "add-node-1P1D-to-2P1D.json"])
    func modelStartsWhatTheRealScriptStarted(_ file: String) throws {
        let run = try GoldenLaunches.load(file)
        var checked = 0
        for (host, starts) in run {
            for (i, start) in starts.enumerated() where start.tool == "pd_run.sh" {
                let next = try #require(i + 1 < starts.count ? starts[i + 1] : nil, "\(host): nothing follows pd_run.sh")
                guard case .started(let launch) = PDRunProgram.run(arguments: start.argv, environment: start.env) else {
                    Issue.record("\(host): the model rejects the reference's own arguments")
                    continue
                }
                let api = try #require(launch.apiServers)
                #expect(api.argv == next.argv, "\(host)")
                for name in Set(api.environment.keys).union(next.env.keys).sorted() where api.environment[name] != next.env[name] {
                    Issue.record("\(host): \(name)=\(api.environment[name] ?? "(unset)"), the reference has \(next.env[name] ?? "(unset)")")
                }
                checked += 1
            }
        }
        #expect(checked >= 1, "the reference run starts pd_run.sh somewhere")
    }

    @Test func unknownOptionsAndStrayWordsAreRejected() {
        #expect(PDRunProgram.run(arguments: ["--prefill-server-list", "0,1"], environment: [:])
                == .rejected(word: "--prefill-server-list",
                             reason: "pd_run.sh rejects --prefill-server-list: it prints its help and exits 0, so nothing starts"))
        guard case .rejected(let word, _) = PDRunProgram.run(arguments: ["--tp", "4", "stray"], environment: [:]) else {
            Issue.record("a stray word was accepted")
            return
        }
        #expect(word == "stray")
        guard case .rejected(let last, let reason) = PDRunProgram.run(arguments: ["--tp"], environment: [:]) else {
            Issue.record("an option without a value was accepted")
            return
        }
        #expect(last == "--tp" && reason.contains("loops forever"))
    }

    @Test func onlyExportedDefaultsLeakIntoTheEnvironment() throws {
        // A value the caller only exports is overwritten by pd_run.sh's default before vLLM sees it.
        guard case .started(let launch) = PDRunProgram.run(arguments: [], environment: ["VLLM_ENABLE_MC2": "1", "HCCL_BUFFSIZE": "1000"]) else {
            Issue.record("rejected")
            return
        }
        let env = try #require(launch.apiServers).environment
        #expect(env["VLLM_ENABLE_MC2"] == "0")
        #expect(env["HCCL_BUFFSIZE"] == "0")
        #expect(env["ASCEND_RT_VISIBLE_DEVICES"] == nil, "without the option every NPU is visible")
    }

    /// A rendered run script given an option pd_run.sh does not know fails the rehearsal with the reason.
    @Test func anInjectedBadOptionFailsTheRehearsal() throws {
        let scenario = try LaunchReplayTests.scenario("1P1D", name: "bad-option")
        let script = Paths(scenario.cluster.settings).script(.runPrefill)
        let steps = MainPlaybook.steps(for: scenario.cluster)
        // Render the steps as usual, then add an option to the written prefill run script.
        let backend = SimulatorBackend(scenario: scenario)
        let runner = Runner(cluster: scenario.cluster, steps: steps, backend: InjectingBackend(inner: backend, path: script,
                            edit: { $0.replacingOccurrences(of: "    --role prefill \\\n", with: "    --role prefill \\\n    --prefill-server-list 0,1 \\\n") }))
        let result = runner.run()
        let failure = try #require(result.failure)
        #expect(failure.step.id == "start-prefill-single" && failure.host == "p0")
        #expect(failure.message.contains("pd_run.sh rejects --prefill-server-list: it prints its help and exits 0, so nothing starts"))
        #expect(failure.message.contains("the reference playbook reports success"))
    }

    /// Passes every task on, with the content of one written file edited first.
    final class InjectingBackend: Backend {
        let inner: Backend
        let path: String
        let edit: (String) -> String

        init(inner: Backend, path: String, edit: @escaping (String) -> String) {
            self.inner = inner
            self.path = path
            self.edit = edit
        }

        func perform(_ tasks: [HostTask]) -> [HostOutcome] {
            inner.perform(tasks.map { task in
                var task = task
                task.operations = task.operations.map { operation in
                    guard case .writeFile(let p, let content, let mode) = operation, p == path else { return operation }
                    return .writeFile(path: p, content: edit(content), mode: mode)
                }
                return task
            })
        }

        func close() { inner.close() }
    }
}
