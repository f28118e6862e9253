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

    /// The variables of a launch that the summary shows: devices, HCCL and MC2 settings, the connector, the
    /// ranktables and the interfaces.
    public static let decisiveVariables = [
        "ROLE", "ASCEND_RT_VISIBLE_DEVICES", "VLLM_ENABLE_MC2", "HCCL_OP_EXPANSION_MODE", "HCCL_BUFFSIZE", "KV_CONNECTOR",
        "LMCACHE_CONFIG_FILE", "MOONCAKE_CONFIG_PATH", "RANK_TABLE_FILE_PATH", "GLOBAL_RANK_TABLE_FILE_PATH",
        "GLOO_SOCKET_IFNAME", "TP_SOCKET_IFNAME",
    ]

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
            launches: m.launches.mapValues(launchLines))
    }

    static func launchLines(_ launch: PDRunProgram.Launch) -> [String] {
        var lines: [String] = []
        for start in [launch.ray, launch.apiServers].compactMap({ $0 }) {
            lines.append(([start.tool] + start.argv).map { Shell.quote($0) }.joined(separator: " "))
        }
        let env = launch.apiServers?.environment ?? launch.ray?.environment ?? [:]
        for name in decisiveVariables {
            lines.append("\(name)=" + (env[name] ?? "(unset)"))
        }
        return lines
    }

    /// A short content fingerprint (FNV-1a), so summaries stay small but changes show.
    static func digest(_ text: String) -> String {
        var text = text
        let hash = text.withUTF8(fnv1a)
        return String(hash, radix: 16) + " \(text.utf8.count)B"
    }

    /// The summary as JSON with sorted keys, one item per line.
    public func json() -> String {
        func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
        let machines = self.machines.keys.sorted().map { address -> (String, JSONValue) in
            let m = self.machines[address]!
            return (address, .object([
                ("containers", strings(m.containers)),
                ("files", .object(m.files.keys.sorted().map { ($0, .string(m.files[$0]!)) })),
                ("launches", .object(m.launches.keys.sorted().map { ($0, strings(m.launches[$0]!)) })),
                ("ports", .array(m.ports.map(JSONValue.int))),
                ("processes", strings(m.processes)),
            ]))
        }
        return JSONValue.object([("machines", .object(machines))]).printed() + "\n"
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
