import Core
import Foundation
import Simulator
import Testing
@testable import Deployer

/// `deploy --real` against loopback sshd hosts: the same typed steps as the rehearsal, performed over SSH.
@Suite(.serialized) struct RealDeployTests {
    /// Writes a 2P1D scenario whose hosts are the harness's sshds and whose paths live under its directory.
    static func scenario(_ h: SSHDHarness, extraVars: String = "", hostKey: String? = nil, prefill: [String] = ["p0", "p1"],
                         name: String = "scenario", extraSettings: String = "") throws -> String {
        let root = h.dir + "/deploy"
        let code = root + "/code/omniinfer"
        for file in ["infer_engines/vllm/setup.py", "tools/scripts/pd_run.sh", "setup.py"] {
            try FileManager.default.createDirectory(atPath: (code + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "# \(file)\n".write(toFile: code + "/" + file, atomically: true, encoding: .utf8)
        }
        func host(_ name: String, _ fields: String) -> String {
            "        \(name): {ansible_host: \"\(h.addresses[name] ?? h.addresses["p0"]!)\", \(fields)}\n"
        }
        let devices = "ascend_rt_visible_devices: \"0,1,2,3\""
        let inventory = """
        all:
          vars:
            ansible_user: root
            ansible_port: \(h.port)
            ansible_ssh_private_key_file: \(hostKey ?? h.clientKey)
            global_port_base: 8000
            base_api_port: 9000
            proxy_port: 7000
            port_offset: {P: 0, D: 100}
        \(extraVars)
          children:
            P:
              hosts:
        \(prefill.enumerated().map { i, p in host(p, "node_rank: 0, kv_rank: \(i), host_ip: \"\(h.addresses[p]!)\", \(devices), node_port: \"{{ global_port_base + port_offset.P + kv_rank }}\", api_port: \"{{ base_api_port + port_offset.P + kv_rank }}\"") }.joined())\
            D:
              hosts:
        \(host("d0", "node_rank: 0, host_ip: \"\(h.addresses["d0"]!)\", \(devices), node_port: \"{{ global_port_base + port_offset.D }}\", api_port: \"{{ base_api_port + port_offset.D + node_rank }}\""))\
        \(host("d1", "node_rank: 1, host_ip: \"\(h.addresses["d0"]!)\", \(devices), node_port: \"{{ global_port_base + port_offset.D }}\", api_port: \"{{ base_api_port + port_offset.D + node_rank }}\""))\
            C:
              hosts:
        \(host("c0", "node_rank: 0, node_port: \"{{ proxy_port + node_rank }}\""))
        """
        try inventory.write(toFile: root + "/\(name)-inventory.yml", atomically: true, encoding: .utf8)
        let scenario = """
        name: loopback-\(name)
        inventory: \(name)-inventory.yml
        settings:
          LOG_PATH: \(root)/logs
          LOG_PATH_IN_EXECUTOR: \(root)/executor-logs
          CODE_PATH: \(root)/code
          SCRIPTS_PATH: \(root)/scripts
          MODEL_PATH: \(root)/model
          ranktable_save_path: \(root)/ranktables
          DOCKER_IMAGE_ID: "omni:test"
        \(extraSettings)
        """
        try scenario.write(toFile: root + "/\(name).yml", atomically: true, encoding: .utf8)
        return root + "/\(name).yml"
    }

    func backend(_ h: SSHDHarness, forks: Int = 8) -> SSHBackend {
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: h.knownHosts)
        settings.forks = forks
        settings.connectTimeout = 3
        return SSHBackend(settings: settings)
    }

    @Test func deploysTwoPOneDAsRehearsed() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        let cluster = scenario.cluster
        let backend = backend(h)
        let result = Runner(cluster: cluster, steps: MainPlaybook.steps(for: cluster), backend: backend).run()
        let failure = result.failure.map { "\($0.step.id) on \($0.host): \($0.message)" }
        #expect(failure == nil)
        #expect(backend.handshakeCount == 5, "one connection per inventory host")

        // Same steps, same rendered operations as the rehearsal of the same scenario.
        let rehearsal = Rehearsal.run(scenario)
        #expect(rehearsal.run.succeeded)
        let real = result.steps.flatMap { run in run.results.flatMap { r in r.operations.map { "\(run.step.id) @ \(r.host): \($0.summary)" } } }
        let simulated = rehearsal.transcript.map { "\($0.step) @ \($0.host): \($0.operation.summary)" }
        #expect(real == simulated)

        // What the hosts saw.
        let calls = h.calls()
        let runs = calls.filter { $0.tool == "docker" && $0.args.first == "run" }
        #expect(Set(runs.map(\.host)) == ["p0", "p1", "d0", "d1"])
        #expect(runs.contains { $0.host == "p0" && $0.args.contains("you_name_omni_infer_proxy_c0") && $0.args.contains("PROXY_NODE_PORT=7000") })
        let starts = calls.filter { $0.tool == "docker" && $0.args.first == "exec" && $0.args.contains("-d") }
        #expect(starts.contains { $0.host == "d1" && $0.args.contains("NUM_SERVERS=4") && $0.args.contains("HOST=d1") })
        #expect(calls.contains { $0.tool == "ip" })
        let root = h.dir + "/deploy"
        let script = try String(contentsOfFile: root + "/scripts/vllm_run_for_d.sh", encoding: .utf8)
        // Both D hosts write this path on the shared test machine: either's script hands pd_run.sh dp 8.
        #expect(script.contains("    --num-dp 8 \\\n"))
        #expect(FileManager.default.fileExists(atPath: root + "/ranktables/global/global_ranktable_merge.json"))
        #expect(FileManager.default.fileExists(atPath: root + "/executor-logs/d0"))
    }

    @Test func unknownHostKeyIsRefused() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: h.dir + "/no_known_hosts")
        let result = Runner(cluster: scenario.cluster, steps: MainPlaybook.steps(for: scenario.cluster), backend: SSHBackend(settings: settings)).run()
        // Found by the connection check, before any step ran.
        #expect(result.failure?.step.id == "connect")
        #expect(result.failure?.message.contains("refusing an unknown host key") == true)
        #expect(h.calls().isEmpty)
    }

    @Test func badKeyIsAnAuthenticationFailure() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let stranger = h.dir + "/stranger"
        try SSHDHarness.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h, hostKey: stranger))
        let result = Runner(cluster: scenario.cluster, steps: MainPlaybook.steps(for: scenario.cluster), backend: backend(h)).run()
        #expect(result.failure?.message.contains("authentication failed for root@") == true)
        let stopped = result.steps.first { $0.step.id == "run-container-prefill" }!
        #expect(stopped.results.allSatisfy { if case .skipped(let why) = $0.status { why.contains("play stopped") } else { false } })
    }

    @Test func hangingStepTimesOut() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        let hang = Step(id: "hang", name: "a step that never ends", tags: ["test"], hosts: .named(["d0"]), action: .syncCode, timeout: 2)
        let start = Date()
        final class Hanging: Backend {
            let inner: SSHBackend
            init(_ inner: SSHBackend) { self.inner = inner }
            func perform(_ tasks: [HostTask]) -> [HostOutcome] {
                inner.perform(tasks.map { var t = $0; if t.step.action != .connect { t.operations = [.shell("sleep 60")] }; return t })
            }
            func close() { inner.close() }
        }
        let result = Runner(cluster: scenario.cluster, steps: [hang], backend: Hanging(backend(h))).run()
        #expect(result.failure?.step.id == "hang" && result.failure?.host == "d0")
        #expect(result.steps.first { $0.step.id == "hang" }?.results[0].status == .failed(.timedOut))
        #expect(Date().timeIntervalSince(start) < 15)
    }

    @Test func sshdKilledMidStepAndUnreachableHost() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        let b = backend(h)
        let step = Step(id: "slow", name: "slow", tags: ["test"], hosts: .named(["p1", "d1"]), action: .syncCode, timeout: 30)
        final class Slow: Backend {
            let inner: SSHBackend
            init(_ inner: SSHBackend) { self.inner = inner }
            func perform(_ tasks: [HostTask]) -> [HostOutcome] { inner.perform(tasks.map { var t = $0; if t.step.action != .connect { t.operations = [.shell("sleep 5")] }; return t }) }
            func close() { inner.close() }
        }
        let killer = Thread { usleep(1_500_000); h.kill("d1") }
        killer.start()
        let start = Date()
        let result = Runner(cluster: scenario.cluster, steps: [step], backend: Slow(b)).run()
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(result.failure?.host == "d1")
        #expect(result.steps.first { $0.step.id == "slow" }?.results.first { $0.host == "p1" }?.status == .ok)
        // The host is gone now: the next step finds it unreachable, quickly.
        let again = Runner(cluster: scenario.cluster, steps: [step], backend: backend(h)).run()
        #expect(again.failure?.host == "d1")
        #expect(again.failure?.message.contains("UNREACHABLE") == true)
    }

    @Test func hostReplacedBetweenStepsIsStopped() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        let b = backend(h)
        let one = Step(id: "first", name: "first", tags: ["test"], hosts: .named(["d0", "d1"]), action: .detectInterface)
        let two = Step(id: "second", name: "second", tags: ["test"], hosts: .named(["d0", "d1"]), action: .detectInterface)
        final class Swapping: Backend {
            let inner: SSHBackend
            let between: () -> Void
            var calls = 0
            init(_ inner: SSHBackend, between: @escaping () -> Void) { self.inner = inner; self.between = between }
            func perform(_ tasks: [HostTask]) -> [HostOutcome] {
                calls += 1
                // Calls: the connection check, `first`, then `second`.
                if calls == 3 { between() }
                return inner.perform(tasks)
            }
            func close() { inner.close() }
        }
        let swapping = Swapping(b) { try? h.replace("d0") }
        let result = Runner(cluster: scenario.cluster, steps: [one, two], backend: swapping).run()
        let byID = Dictionary(uniqueKeysWithValues: result.steps.map { ($0.step.id, $0) })
        #expect(byID["first"]?.results.allSatisfy { $0.status == .ok } == true)
        #expect(result.failure?.step.id == "second" && result.failure?.host == "d0")
        #expect(result.failure?.message.contains("does not match") == true)
        #expect(byID["second"]?.results.first { $0.host == "d1" }?.status == .ok)
        #expect(b.handshakeCount == 2, "d1 kept its connection; the refused reconnection to d0 does not count")
    }

    /// After an interrupt, a command that changes a host gets the grace period and no more; waits change
    /// nothing, so a port probe and a waiting step's remote loop end at once.
    @Test func interruptGivesChangesAGraceAndEndsWaitsAtOnce() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"])
        defer { h.stop() }
        let scenario = try ScenarioLoader.load(path: try Self.scenario(h))
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: h.knownHosts)
        settings.interruptGrace = 1.5
        let host = scenario.cluster.host(named: "d0")!
        func step(_ id: String, _ action: StepAction) -> Step {
            Step(id: id, name: id, tags: ["test"], hosts: .named(["d0"]), action: action, timeout: 60)
        }
        let cases: [(Step, Core.Operation, ClosedRange<Double>)] = [
            (step("change", .detectInterface), .shell("sleep 30"), 2.0...10),
            (step("wait", .waitForServers), .waitForPorts(host: host.address, ports: [1], timeoutSeconds: 60), 0.5...1.5),
            (step("wait-log", .waitForServerLog), .shell("sleep 60"), 0.5...1.5),
        ]
        for (step, operation, expected) in cases {
            let backend = SSHBackend(settings: settings)
            let interrupter = Thread { usleep(500_000); backend.interrupt() }
            interrupter.start()
            let start = Date()
            let outcome = backend.perform([HostTask(step: step, target: .host(host), operations: [operation], timeout: 60)])[0]
            let elapsed = Date().timeIntervalSince(start)
            #expect(outcome.status == .interrupted, "\(step.id): \(outcome.message ?? "")")
            #expect(expected.contains(elapsed), "\(step.id) ended \(elapsed) s after it started; the interrupt came at 0.5 s")
            backend.close()
        }
    }
}
