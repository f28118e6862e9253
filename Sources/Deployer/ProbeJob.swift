import Core
import Foundation

/// `omnisim probe`: reads every machine of a scenario over SSH (the same connection code, host keys and
/// authentication as `deploy --real`) with the fixed read-only commands of `ProbeCommands`, and writes the
/// machines file that makes a rehearsal start from what it read.
public struct ProbeJob {
    public var scenario: Scenario
    public var settings = SSHBackend.Settings()
    public var print: @Sendable (String) -> Void = Progress.printLine

    public init(scenario: Scenario) { self.scenario = scenario }

    public struct Outcome: Sendable {
        public var snapshots: [MachineSnapshot]
        /// Machine address → why it could not be read (connection or authentication failure).
        public var unreachable: [String: String]
        public var executorHasCode: Bool
        public var machinesFile: String
    }

    public func run() -> Outcome {
        let cluster = scenario.cluster
        var seen: Set<String> = []
        let machines = cluster.hosts.filter { seen.insert($0.address).inserted }
        var snapshots: [MachineSnapshot] = []
        var unreachable: [String: String] = [:]
        for host in machines {
            do {
                snapshots.append(try probe(host, cluster: cluster))
                print("probe: \(host.address) read")
            } catch {
                unreachable[host.address] = "\(error)"
                print("probe: \(host.address): \(error)")
            }
        }
        let executorHasCode = FileManager.default.fileExists(atPath: Paths(cluster.settings).code)
        let file = MachineSnapshot.machinesFile(snapshots, executorHasCode: executorHasCode, scenario: scenario.name)
        return Outcome(snapshots: snapshots, unreachable: unreachable, executorHasCode: executorHasCode, machinesFile: file)
    }

    /// One machine, read through the connection of its first inventory host.
    func probe(_ host: Host, cluster: Cluster) throws -> MachineSnapshot {
        let target = SSHTarget(host: host.address, port: host.ssh.port, user: host.ssh.user, privateKeyFile: host.ssh.privateKeyFile,
                               password: host.ssh.password, passphrase: settings.passphrase)
        let session = try SSHSession(target: target, policy: settings.hostKeys, connectTimeout: settings.connectTimeout,
                                     keepaliveInterval: settings.keepaliveInterval)
        defer { session.shutdown() }
        func ask(_ command: String) throws -> String {
            let full = settings.commandPATH.map { "export PATH=\(Shell.quote($0)):\"$PATH\"; " + command } ?? command
            return try session.exec(full, timeout: 60, outputLimit: settings.outputLimit).stdout
        }
        let s = cluster.settings, paths = Paths(s)
        var answers: [ProbeCommands.Question: String] = [:]
        answers[.npuMap] = try ask(ProbeCommands.command(.npuMap))
        let devices = Set(ProbeParser.npuMap(answers[.npuMap]!).values).sorted()
        let deviceIPs = devices.isEmpty ? "" : try ask(ProbeCommands.deviceIPs(devices))
        for question in [ProbeCommands.Question.npuProcesses, .images, .containers, .listening, .defaultRoute] {
            answers[question] = try ask(ProbeCommands.command(question))
        }
        let pids = ProbeParser.listening(answers[.listening]!).compactMap(\.pid)
        if !pids.isEmpty { answers[.containerPids] = try ask(ProbeCommands.command(.containerPids, pids: pids)) }
        answers[.freeSpace] = try ask(ProbeCommands.command(.freeSpace, paths: [s.logPath, s.scriptsPath, s.codePath, paths.ranktable, s.modelPath]))
        answers[.model] = try ask(ProbeCommands.command(.model, model: s.modelPath))
        var snapshot = MachineSnapshot(address: host.address)
        snapshot.read(answers, deviceIPAnswer: deviceIPs)
        return snapshot
    }
}
