import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// The proof that the real path starts what the reference playbook starts: the docker commands and files
/// each simulated host received are replayed under bash (`LaunchReplay`), and every program start is
/// compared with the reference's recorded launches in Tests/Golden/launch, entry by entry. pd_run.sh is a
/// recorder there; what it then starts is taken from omnisim's model of it (`PDRunProgram`), so the
/// reference's `start_api_servers.py` entries check that model too.
@Suite struct LaunchReplayTests {
    static let golden = GoldenLaunches.directory

    /// The reference hosts' default-route interface; the simulated machines answer the same.
    static let machines = "machines:\n  default: { interface: enp189s0f0 }\n"

    /// A scenario over a golden inventory with the reference template's defaults.
    static func scenario(_ inventory: String, name: String, settings: String = "") throws -> Scenario {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-golden-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/\(name).yml"
        try """
        name: \(name)
        inventory: \(golden)/inventory_\(inventory).yml
        \(settings.isEmpty ? "" : "settings:\n  \(settings)\n")\(machines)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: path)
    }

    /// What one host received in `run`: its docker commands in order, and the files written to it.
    static func received(_ host: String, in run: RunResult, machine: Machine, ranktables: String) -> (commands: [String], files: [String: String], directories: [String]) {
        var commands: [String] = []
        var files: [String: String] = [:]
        for step in run.steps {
            for result in step.results where result.host == host {
                for operation in result.operations {
                    // The command lines the SSH backend would send for the container operations.
                    switch operation {
                    case .runContainer, .exec, .copyIntoContainer:
                        commands.append(operation.command!)
                    case .writeFile(let path, let content, _):
                        files[path] = content
                    default: break
                    }
                }
            }
        }
        // Files the host holds after the run that were not written as scripts (the ranktables it received or
        // generated), so the scripts that list them find them.
        for path in machine.files.paths(under: ranktables) where files[path] == nil {
            files[path] = machine.files[path]?.content
        }
        let directories = machine.files.directories(under: "/")
        return (commands, files, directories)
    }

    /// The replayed starts with pd_run.sh's own starts added after it, from the model of its contract.
    static func replay(_ host: String, in run: RunResult, machine: Machine, ranktables: String = DeploymentSettings().ranktableSavePath) throws -> [LaunchReplay.Start] {
        let r = received(host, in: run, machine: machine, ranktables: ranktables)
        var starts: [LaunchReplay.Start] = []
        for start in try LaunchReplay.run(commands: r.commands, files: r.files, directories: r.directories) {
            starts.append(start)
            guard start.tool == "pd_run.sh" else { continue }
            switch PDRunProgram.run(arguments: start.argv, environment: start.env) {
            case .rejected(_, let reason):
                Issue.record("\(host): \(reason)")
            case .started(let launch):
                for s in [launch.ray, launch.apiServers].compactMap({ $0 }) {
                    starts.append(LaunchReplay.Start(tool: s.tool, argv: s.argv, cwd: start.cwd, env: s.environment,
                                                     bashrcSourced: start.bashrcSourced))
                }
            }
        }
        return starts
    }

    static func compare(_ host: String, ours: [LaunchReplay.Start], golden: [LaunchReplay.Start]) {
        for difference in GoldenLaunches.differences(host, ours: ours, reference: golden) { Issue.record(Comment(rawValue: difference)) }
    }

    static func check(_ rehearsal: Rehearsal, against file: String) throws {
        let golden = try GoldenLaunches.load(file)
        for host in rehearsal.cluster.hosts {
            let machine = rehearsal.world.machines[host.address]!
            compare(host.name, ours: try replay(host.name, in: rehearsal.run, machine: machine), golden: golden[host.name] ?? [])
        }
    }

    static let allButFetchLog = RunOptions(skipTags: ["fetch_log"])

    @Test(arguments: ["1P1D", "2P1D", "4P1D"])
    func mainPlaybookStartsWhatTheReferenceStarts(_ shape: String) throws {
        let rehearsal = Rehearsal.run(try Self.scenario(shape, name: shape), options: Self.allButFetchLog)
        #expect(rehearsal.run.succeeded, "\(rehearsal.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        try Self.check(rehearsal, against: "\(shape).json")
    }

    /// The state summary shows each host's launch as the reference's start_api_servers.py start.
    @Test func stateSummaryShowsTheReferenceLaunch() throws {
        let rehearsal = Rehearsal.run(try Self.scenario("2P1D", name: "2P1D"), options: Self.allButFetchLog)
        let summary = StateSummary(world: rehearsal.world)
        let golden = try GoldenLaunches.load("2P1D.json")
        for host in rehearsal.cluster.hosts where host.role != .proxy {
            let api = try #require(golden[host.name]?.last)
            let lines = try #require(summary.machines[host.address]?.launches[host.name], "\(host.name) has no launch")
            #expect(lines.first == ([api.tool] + api.argv).map { Shell.quote($0) }.joined(separator: " "))
            #expect(lines.contains("ASCEND_RT_VISIBLE_DEVICES=" + (api.env["ASCEND_RT_VISIBLE_DEVICES"] ?? "(unset)")))
            #expect(lines.contains("HCCL_BUFFSIZE=" + (api.env["HCCL_BUFFSIZE"] ?? "(unset)")))
        }
    }

    @Test func lmcacheStartsWhatTheReferenceStarts() throws {
        let rehearsal = Rehearsal.run(try Self.scenario("2P1D", name: "2P1D-LMCache", settings: "KV_CONNECTOR: LMCacheConnectorV1"),
                                      options: Self.allButFetchLog)
        #expect(rehearsal.run.succeeded, "\(rehearsal.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        try Self.check(rehearsal, against: "2P1D-LMCache.json")
    }

    @Test func addNodeStartsWhatTheReferenceStarts() throws {
        let current = try Self.scenario("1P1D", name: "running", settings: "KV_CONNECTOR: LMCacheConnectorV1")
        let target = try Self.scenario("2P1D", name: "target", settings: "KV_CONNECTOR: LMCacheConnectorV1")
        let addNode = AddNodeRehearsal.run(current: current, target: target, options: Self.allButFetchLog)
        let run = try #require(addNode.run, "add-node did not run: \(addNode.plan)")
        #expect(run.succeeded, "\(run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let golden = try GoldenLaunches.load("add-node-1P1D-to-2P1D.json")
        for host in target.cluster.hosts {
            let machine = addNode.world.machines[host.address]!
            Self.compare(host.name, ours: try Self.replay(host.name, in: run, machine: machine), golden: golden[host.name] ?? [])
        }
    }
}
