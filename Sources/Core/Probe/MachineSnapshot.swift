import Foundation

/// What a probe read on one machine, and the machines description it gives: the `machines:` entry that
/// makes the rehearsal start from this state, plus the figures (free space, model size) a person reads.
public struct MachineSnapshot: Sendable, Hashable, Codable {
    public var address: String
    /// Logic device id → device IP (`hccn_tool`).
    public var deviceIPs: [Int: String] = [:]
    /// Logic device id → the process holding it.
    public var heldNPUs: [Int: String] = [:]
    public var images: [String] = []
    /// Container name → image, every state.
    public var containers: [String: String] = [:]
    /// Port → the listening process, and its container when it runs in one.
    public var listening: [Int: Listened] = [:]
    /// Path → free kilobytes on its file system.
    public var freeKilobytes: [String: Int] = [:]
    /// MODEL_PATH's size in kilobytes; nil when the model (its config.json) is missing.
    public var modelKilobytes: Int?
    public var interface = ""

    public struct Listened: Sendable, Hashable, Codable {
        public var process: String
        public var container: String?
    }

    public init(address: String) { self.address = address }

    /// A file system with less free space than this is taken for full: writes there fail.
    public static let fullBelowKilobytes = 1024

    /// The description the rehearsal starts from.
    public var patch: MachineSpec.Patch {
        var p = MachineSpec.Patch()
        p.deviceIPs = deviceIPs
        p.busyNPUs = heldNPUs.keys.sorted()
        p.images = images
        p.containers = containers
        p.listening = listening.mapValues { Listener(process: $0.process, container: $0.container) }
        p.fullPaths = freeKilobytes.filter { $0.value < Self.fullBelowKilobytes }.keys.sorted()
        p.modelPresent = modelKilobytes != nil
        p.interface = interface
        return p
    }

    /// Fills the snapshot from the probe commands' answers, by question.
    public mutating func read(_ answers: [ProbeCommands.Question: String], deviceIPAnswer: String) {
        let map = ProbeParser.npuMap(answers[.npuMap] ?? "")
        deviceIPs = ProbeParser.deviceIPs(deviceIPAnswer).filter { Set(map.values).contains($0.key) }
        heldNPUs = ProbeParser.heldNPUs(answers[.npuProcesses] ?? "", map: map)
        images = ProbeParser.images(answers[.images] ?? "")
        let found = ProbeParser.containers(answers[.containers] ?? "")
        for c in found { containers[c.name] = c.image }
        let inContainer = ProbeParser.containerOfPids(answers[.containerPids] ?? "")
        for l in ProbeParser.listening(answers[.listening] ?? "") {
            let id = l.pid.flatMap { inContainer[$0] }
            listening[l.port] = Listened(process: l.process, container: id.flatMap { id in found.first { $0.id == id }?.name })
        }
        freeKilobytes = ProbeParser.freeSpace(answers[.freeSpace] ?? "")
        modelKilobytes = ProbeParser.modelKilobytes(answers[.model] ?? "missing")
        interface = ProbeParser.defaultInterface(answers[.defaultRoute] ?? "")
    }

    /// The snapshots as JSON, for machines: every figure, device ids and ports as object keys.
    public static func json(_ snapshots: [MachineSnapshot], executorHasCode: Bool) -> String {
        func object(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(pairs) }
        let machines = snapshots.map { s in
            object([
                ("address", .string(s.address)),
                ("device_ips", object(s.deviceIPs.keys.sorted().map { (String($0), .string(s.deviceIPs[$0]!)) })),
                ("busy_npus", object(s.heldNPUs.keys.sorted().map { (String($0), .string(s.heldNPUs[$0]!)) })),
                ("images", .array(s.images.map { .string($0) })),
                ("containers", object(s.containers.keys.sorted().map { ($0, .string(s.containers[$0]!)) })),
                ("listening", object(s.listening.keys.sorted().map { port in
                    let l = s.listening[port]!
                    return (String(port), object([("process", .string(l.process))] + (l.container.map { [("container", .string($0))] } ?? [])))
                })),
                ("free_kb", object(s.freeKilobytes.keys.sorted().map { ($0, .int(s.freeKilobytes[$0]!)) })),
                ("model_kb", s.modelKilobytes.map { .int($0) } ?? .null),
                ("interface", .string(s.interface)),
            ])
        }
        return object([("executor_has_code", .bool(executorHasCode)), ("machines", .array(machines))]).printed() + "\n"
    }

    /// The machines file of a probe: one entry per machine in the scenario's `machines:` format, readable
    /// back with `validate --machines`. Comments give the figures that are not part of the description.
    public static func machinesFile(_ snapshots: [MachineSnapshot], executorHasCode: Bool, scenario: String) -> String {
        let q = { (s: String) in JSONValue.string(s).printed() }
        var lines = ["# The machines of \(scenario) as omnisim probe read them.", "machines:", "  executor_has_code: \(executorHasCode)"]
        for s in snapshots {
            lines.append("  \(s.address):")
            let ips = s.deviceIPs.keys.sorted().map { "\($0): \(q(s.deviceIPs[$0]!))" }.joined(separator: ", ")
            lines.append("    device_ips: {\(ips)}")
            if !s.heldNPUs.isEmpty {
                lines.append("    busy_npus: [\(s.heldNPUs.keys.sorted().map(String.init).joined(separator: ", "))]   # "
                             + s.heldNPUs.keys.sorted().map { "\($0): \(s.heldNPUs[$0]!)" }.joined(separator: "; "))
            }
            lines.append("    images: [\(s.images.map(q).joined(separator: ", "))]")
            lines.append("    containers: {\(s.containers.keys.sorted().map { "\(q($0)): \(q(s.containers[$0]!))" }.joined(separator: ", "))}")
            if !s.listening.isEmpty {
                lines.append("    listening:")
                for port in s.listening.keys.sorted() {
                    let l = s.listening[port]!
                    lines.append(l.container.map { "      \(port): {process: \(q(l.process)), container: \(q($0))}" } ?? "      \(port): \(q(l.process))")
                }
            }
            let full = s.patch.fullPaths ?? []
            if !full.isEmpty { lines.append("    full_paths: [\(full.map(q).joined(separator: ", "))]") }
            lines.append("    model_present: \(s.modelKilobytes != nil)" + (s.modelKilobytes.map { "   # \($0 / 1024) MB" } ?? ""))
            lines.append("    interface: \(q(s.interface))")
            for path in s.freeKilobytes.keys.sorted() { lines.append("    # free on \(path): \(s.freeKilobytes[path]! / 1024) MB") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
