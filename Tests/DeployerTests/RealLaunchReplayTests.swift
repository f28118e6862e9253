import Core
import Foundation
import Simulator
import Testing
import TestSupport
@testable import Deployer

/// The launch replay on the real path: the reference inventories deployed over SSH to loopback sshd hosts
/// at the reference's own addresses, each machine with a file system of its own; then what each host really
/// received (the docker commands its shim recorded, the files on its disk) is replayed under bash and
/// compared with the reference's recorded launches, as the simulator's operations are.
@Suite(.serialized) struct RealLaunchReplayTests {
    static let golden = GoldenLaunches.directory

    /// The reference hosts' default-route interface; the harness's `ip` reports the same.
    static let interface = "enp189s0f0"

    /// Inventory hosts by machine address, from a golden inventory's `ansible_host` lines.
    static func machines(_ inventory: String) -> [(address: String, hosts: [String])] {
        var result: [(String, [String])] = []
        var current: String?
        for line in inventory.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasSuffix(":"), !t.contains(" "), line.hasPrefix("        "), !line.hasPrefix("          ") { current = String(t.dropLast()) }
            if t.hasPrefix("ansible_host:"), let host = current {
                let address = t.dropFirst("ansible_host:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \""))
                if let i = result.firstIndex(where: { $0.0 == address }) { result[i].1.append(host) } else { result.append((address, [host])) }
            }
        }
        return result
    }

    /// A golden inventory with its line ends made plain (some are written with CRLF).
    static func inventoryText(_ shape: String) throws -> String {
        try String(contentsOfFile: "\(golden)/inventory_\(shape).yml", encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n")
    }

    struct Deployment {
        let harness: SSHDHarness
        let scenario: Scenario
        let machineOf: [String: String]
    }

    /// Starts one sshd per machine of the golden inventory and writes a scenario for it: the inventory as it
    /// is, with the harness's port and key, and every deployment path under the machines' shared root.
    static func deployment(_ shape: String, settings extra: [String] = [], name: String) throws -> Deployment {
        let text = try inventoryText(shape)
        let machines = machines(text)
        var addresses: [String: String] = [:]
        var machineOf: [String: String] = [:]
        for (address, hosts) in machines {
            addresses[hosts[0]] = address
            for h in hosts { machineOf[h] = hosts[0] }
        }
        let h = try SSHDHarness(hosts: machines.map { $0.hosts[0] }, addresses: addresses, isolateFileSystems: true, interface: interface)
        return try Deployment(harness: h, scenario: scenario(h, inventory: text, shape: shape, settings: extra, name: name), machineOf: machineOf)
    }

    static func scenario(_ h: SSHDHarness, inventory text: String, shape: String, settings extra: [String], name: String) throws -> Scenario {
        let fs = h.fileSystemRoot
        let inventory = text.replacingOccurrences(
            of: "    ansible_ssh_private_key_file: /path/to/key.pem  # Private key path on the executor",
            with: "    ansible_ssh_private_key_file: \(h.clientKey)\n    ansible_port: \(h.port)")
        try inventory.write(toFile: h.dir + "/\(name)-inventory.yml", atomically: true, encoding: .utf8)
        try makeCodeTree(under: fs)
        let settings = [
            "LOG_PATH: \(fs)/data/log_path", "MODEL_PATH: \(fs)/data/models/DeepSeek-R1-w8a8-fusion",
            "LOG_PATH_IN_EXECUTOR: \(fs)/data/log_path_in_executor", "CODE_PATH: \(fs)/data/local_code_path",
            "SCRIPTS_PATH: \(fs)/tmp/scripts_path", "ranktable_save_path: \(fs)/tmp/ranktable_save_path",
        ] + extra
        let path = h.dir + "/\(name).yml"
        try "name: \(name)\ninventory: \(name)-inventory.yml\nsettings:\n\(settings.map { "  " + $0 }.joined(separator: "\n"))\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: path)
    }

    /// The executor's code checkout the deployment synchronises: the few files the steps read.
    static func makeCodeTree(under fs: String) throws {
        let code = fs + "/data/local_code_path/omniinfer"
        for file in ["infer_engines/vllm/setup.py", "tools/scripts/pd_run.sh", "setup.py"] {
            try FileManager.default.createDirectory(atPath: (code + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "# \(file)\n".write(toFile: code + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    /// The harness's known hosts and a short connect timeout.
    static func sshSettings(_ h: SSHDHarness) -> SSHBackend.Settings {
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: h.knownHosts)
        settings.connectTimeout = 3
        return settings
    }

    static func backend(_ h: SSHDHarness) -> SSHBackend { SSHBackend(settings: sshSettings(h)) }

    /// What `host` really received: the docker commands its machine's shim recorded for its container (from
    /// `calls`), and the files and directories on its machine's disk.
    static func replay(_ host: Core.Host, _ d: Deployment, cluster: Cluster, calls: ArraySlice<(host: String, tool: String, args: [String])>) throws -> [LaunchReplay.Start] {
        let machine = try #require(d.machineOf[host.name], "\(host.name) is not among \(d.machineOf)")
        let container = cluster.containerName(host)
        var commands: [String] = []
        for call in calls where call.host == machine && call.tool == "docker" {
            guard let sub = call.args.first, ["run", "exec", "cp"].contains(sub) else { continue }
            let named: Bool
            switch sub {
            case "run": named = zip(call.args, call.args.dropFirst()).contains { $0 == "--name" && $1 == container }
            case "cp": named = call.args.count > 2 && call.args[2].hasPrefix(container + ":")
            default: named = call.args.contains(container)
            }
            if named { commands.append((["docker"] + call.args).map { Shell.quote($0) }.joined(separator: " ")) }
        }
        let root = d.harness.machineRoot(machine)
        var files: [String: String] = [:]
        var directories: [String] = []
        let fm = FileManager.default
        for relative in (fm.subpaths(atPath: root) ?? []) {
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            let path = d.harness.fileSystemRoot + "/" + relative
            if isDirectory.boolValue { directories.append(path) } else {
                files[path] = (try? String(contentsOfFile: root + "/" + relative, encoding: .utf8)) ?? ""
            }
        }
        var starts: [LaunchReplay.Start] = []
        for start in try LaunchReplay.run(commands: commands, files: files, directories: directories, hostRoot: d.harness.fileSystemRoot) {
            starts.append(start)
            guard start.tool == "pd_run.sh", case .started(let launch) = PDRunProgram.run(arguments: start.argv, environment: start.env) else { continue }
            for s in [launch.ray, launch.apiServers].compactMap({ $0 }) {
                starts.append(LaunchReplay.Start(tool: s.tool, argv: s.argv, cwd: start.cwd, env: s.environment, bashrcSourced: start.bashrcSourced))
            }
        }
        return starts
    }

    static func compare(_ host: String, ours: [LaunchReplay.Start], golden: [LaunchReplay.Start]) {
        for difference in GoldenLaunches.differences(host, ours: ours, reference: golden) { Issue.record(Comment(rawValue: difference)) }
    }

    static let allButFetchLog = RunOptions(skipTags: ["fetch_log"])

    static func deployAndCompare(_ shape: String, golden file: String, settings: [String] = []) throws {
        let d = try deployment(shape, settings: settings, name: shape)
        defer { d.harness.stop() }
        let cluster = d.scenario.cluster
        let result = Runner(cluster: cluster, steps: MainPlaybook.steps(for: cluster), backend: backend(d.harness), options: allButFetchLog).run()
        #expect(result.failure == nil, "\(result.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let golden = try GoldenLaunches.load(file)
        let calls = ArraySlice(d.harness.calls())
        for host in cluster.hosts {
            compare(host.name, ours: try replay(host, d, cluster: cluster, calls: calls), golden: golden[host.name] ?? [])
        }
    }

    @Test(arguments: ["1P1D", "2P1D", "4P1D"])
    func realDeployStartsWhatTheReferenceStarts(_ shape: String) throws {
        try Self.deployAndCompare(shape, golden: "\(shape).json")
    }

    @Test func realLMCacheDeployStartsWhatTheReferenceStarts() throws {
        try Self.deployAndCompare("2P1D", golden: "2P1D-LMCache.json", settings: ["KV_CONNECTOR: LMCacheConnectorV1"])
    }

    @Test func realAddNodeStartsWhatTheReferenceStarts() throws {
        // The 2P1D machines run 1P1D first (p1's machine stays empty), then p1 is added.
        let d = try Self.deployment("2P1D", settings: ["KV_CONNECTOR: LMCacheConnectorV1"], name: "target")
        defer { d.harness.stop() }
        let text = try Self.inventoryText("1P1D")
        let current = try Self.scenario(d.harness, inventory: text, shape: "1P1D", settings: ["KV_CONNECTOR: LMCacheConnectorV1"], name: "current")
        let base = Runner(cluster: current.cluster, steps: MainPlaybook.steps(for: current.cluster), backend: Self.backend(d.harness),
                          options: Self.allButFetchLog).run()
        #expect(base.failure == nil, "\(base.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let before = d.harness.calls().count
        var job = AddNodeJob(current: current, target: d.scenario, reportPath: d.harness.dir + "/add-node.xml")
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: d.harness.knownHosts)
        settings.connectTimeout = 3
        job.settings = settings
        job.print = { _ in }
        let outcome = job.run()
        #expect(outcome.status == 0)
        let calls = d.harness.calls().dropFirst(before)
        let golden = try GoldenLaunches.load("add-node-1P1D-to-2P1D.json")
        let cluster = d.scenario.cluster
        for host in cluster.hosts {
            Self.compare(host.name, ours: try Self.replay(host, d, cluster: cluster, calls: calls), golden: golden[host.name] ?? [])
        }
    }
}
