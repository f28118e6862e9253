import Foundation

/// FNV-1a of the bytes: content fingerprints in summaries, and path components' hashes in the file store.
func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    bytes.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 }
}

/// A per-machine summary of the simulated world: containers, processes, bound ports and files. Used in
/// reports and to diff the world before and after an operation.
public struct StateSummary: Codable, Equatable, Sendable {
    public struct MachineState: Codable, Equatable, Sendable {
        public var containers: [String]
        public var processes: [String]
        public var ports: [Int]
        public var files: [String: String]
        /// Inventory host → what pd_run.sh started there: the start_api_servers.py (or ray) command line,
        /// then the environment variables that decide how vLLM runs.
        public var launches: [String: [String]] = [:]
    }

    public var machines: [String: MachineState]

    public init(world: World) {
        var result: [String: MachineState] = [:]
        for address in world.machineOrder {
            let m = world.machines[address]!
            result[address] = Self.state(of: m)
        }
        result["executor"] = Self.state(of: world.executor)
        machines = result
    }

    static func state(of m: Machine) -> MachineState {
        MachineState(
            containers: m.containers.values.map { "\($0.name) (\($0.image), running)" }.sorted(),
            processes: m.processes.map { "\($0.container ?? "host"): \($0.command)" + ($0.ports.isEmpty ? "" : " ports \($0.ports.map(String.init).joined(separator: ","))") }.sorted(),
            ports: m.ports.keys.sorted(),
            files: m.files.summaryEntries(),
            launches: m.launches)
    }

    /// A short content fingerprint (FNV-1a), so summaries stay small but changes show.
    static func digest(_ text: String) -> String {
        var text = text
        return text.withUTF8(digest)
    }

    static func digest(_ file: SimFile) -> String { file.withBytes(digest) }

    private static func digest(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(fnv1a(bytes), radix: 16) + " \(bytes.count)B"
    }

    /// The summary as JSON with sorted keys, one item per line.
    public func json() -> String {
        var out: [UInt8] = []
        Self.printJSON(machines.keys.sorted(), state: { machines[$0]! }) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the world's summary as `StateSummary(world:).json()` prints it, one machine at a time, so
    /// the summary of a large world is never held whole.
    public static func writeJSON(of world: World, to sink: FileSink) throws {
        let addresses = Set(world.machineOrder + ["executor"]).sorted()
        var failure: (any Error)?
        printJSON(addresses, state: { state(of: $0 == "executor" ? world.executor : world.machines[$0]!) }) { bytes in
            guard failure == nil else { return }
            do { try sink.write(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// `{"machines": {address: state, ...}}` printed as `JSONValue.printed()` prints it, with a final
    /// newline; each machine's text is handed to `emit` as soon as it is made.
    private static func printJSON(_ addresses: [String], state: (String) -> MachineState, emit: ([UInt8]) -> Void) {
        guard !addresses.isEmpty else {
            emit(Array(JSONValue.object([("machines", .object([]))]).printed().utf8) + [0x0A])
            return
        }
        emit(Array("{\n    \"machines\": {\n".utf8))
        for (i, address) in addresses.enumerated() {
            var out = Array(repeating: UInt8(ascii: " "), count: 8)
            JSONValue.quoted(address, into: &out)
            out.append(contentsOf: ": ".utf8)
            json(of: state(address)).write(into: &out, nestedAt: 8)
            if i < addresses.count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
            emit(out)
        }
        emit(Array("    }\n}\n".utf8))
    }

    private static func json(of m: MachineState) -> JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
        return .object([
            ("containers", strings(m.containers)),
            ("files", .object(m.files.keys.sorted().map { ($0, .string(m.files[$0]!)) })),
            ("launches", .object(m.launches.keys.sorted().map { ($0, strings(m.launches[$0]!)) })),
            ("ports", .array(m.ports.map(JSONValue.int))),
            ("processes", strings(m.processes)),
        ])
    }

    /// What changed on each machine between two summaries, as readable lines.
    public func diff(to after: StateSummary) -> [String: [String]] {
        var changes: [String: [String]] = [:]
        for (machine, new) in after.machines {
            let old = machines[machine] ?? MachineState(containers: [], processes: [], ports: [], files: [:])
            var lines: [String] = []
            for c in Set(new.containers).subtracting(old.containers).sorted() { lines.append("+ container \(c)") }
            for c in Set(old.containers).subtracting(new.containers).sorted() { lines.append("- container \(c)") }
            for p in Set(new.processes).subtracting(old.processes).sorted() { lines.append("+ process \(p)") }
            for p in Set(old.processes).subtracting(new.processes).sorted() { lines.append("- process \(p)") }
            for f in new.files.keys.sorted() where old.files[f] != new.files[f] {
                lines.append(old.files[f] == nil ? "+ file \(f)" : "~ file \(f)")
            }
            for f in old.files.keys.sorted() where new.files[f] == nil { lines.append("- file \(f)") }
            for h in new.launches.keys.sorted() where old.launches[h] != new.launches[h] {
                lines.append((old.launches[h] == nil ? "+ launch " : "~ launch ") + "\(h): " + (new.launches[h]!.first ?? ""))
            }
            changes[machine] = lines
        }
        return changes
    }
}
