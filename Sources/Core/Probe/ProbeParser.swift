/// Reads the answers of the probe commands. Each function takes one command's output as the tool prints it
/// and returns what the machines description needs; lines it does not recognise are skipped.
public enum ProbeParser {
    /// `npu-smi info -m`: rows of NPU id, chip id, chip logic id and chip name. Chips without a logic id
    /// (`-`, the management unit) are not devices. Returns (NPU, chip) → logic id.
    public static func npuMap(_ output: String) -> [NPUChip: Int] {
        var map: [NPUChip: Int] = [:]
        for line in output.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 3, let npu = Int(f[0]), let chip = Int(f[1]), let logic = Int(f[2]) else { continue }
            map[NPUChip(npu: npu, chip: chip)] = logic
        }
        return map
    }

    public struct NPUChip: Hashable, Sendable {
        public var npu: Int
        public var chip: Int
        public init(npu: Int, chip: Int) { self.npu = npu; self.chip = chip }
    }

    /// The process table of `npu-smi info`: rows `| <NPU> <Chip> | <pid> | <name> | <memory> |`, after the
    /// header that names "Process id". Returns the logic ids held, with the holder.
    public static func heldNPUs(_ output: String, map: [NPUChip: Int]) -> [Int: String] {
        var held: [Int: String] = [:]
        var inProcesses = false
        for line in output.split(separator: "\n") {
            if line.contains("Process id") || line.contains("Process ID") { inProcesses = true; continue }
            guard inProcesses else { continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            let ids = cells[0].split(separator: " ").compactMap { Int($0) }
            guard ids.count == 2, let pid = Int(cells[1]), let logic = map[NPUChip(npu: ids[0], chip: ids[1])] else { continue }
            held[logic] = "\(cells[2]) (pid \(pid))"
        }
        return held
    }

    /// The `echo device N; hccn_tool -i N -ip -g` answers: device → its `ipaddr:` value.
    public static func deviceIPs(_ output: String) -> [Int: String] {
        var ips: [Int: String] = [:]
        var device: Int?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("device "), let id = Int(line.dropFirst("device ".count)) { device = id; continue }
            if line.hasPrefix("ipaddr:"), let id = device {
                ips[id] = String(line.dropFirst("ipaddr:".count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return ips
    }

    /// `docker images --format '{{.Repository}}:{{.Tag}}'`.
    public static func images(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasSuffix(":<none>") }
    }

    public struct Container: Sendable, Hashable {
        public var id: String
        public var name: String
        public var image: String
        public var state: String
    }

    /// `docker ps -a --no-trunc --format '{{.ID}}\t{{.Names}}\t{{.Image}}\t{{.State}}'`.
    public static func containers(_ output: String) -> [Container] {
        output.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4 else { return nil }
            return Container(id: f[0], name: f[1], image: f[2], state: f[3])
        }
    }

    public struct Listener: Sendable, Hashable {
        public var port: Int
        public var process: String
        public var pid: Int?
    }

    /// `ss -ltnpH`: `LISTEN 0 128 0.0.0.0:9101 0.0.0.0:* users:(("python3",pid=4242,fd=3))`. A port bound on
    /// several addresses is listed once.
    public static func listening(_ output: String) -> [Listener] {
        var seen: Set<Int> = []
        var result: [Listener] = []
        for line in output.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 4, let colon = f[3].lastIndex(of: ":"), let port = Int(f[3][f[3].index(after: colon)...]) else { continue }
            guard seen.insert(port).inserted else { continue }
            var process = "unknown process", pid: Int?
            if let users = line.range(of: "users:((\"") {
                let rest = line[users.upperBound...]
                if let quote = rest.firstIndex(of: "\"") { process = String(rest[..<quote]) }
                if let p = rest.range(of: "pid=") { pid = Int(rest[p.upperBound...].prefix { $0.isASCII && $0.isNumber }) }
            }
            result.append(Listener(port: port, process: pid.map { "\(process) (pid \($0))" } ?? process, pid: pid))
        }
        return result
    }

    /// The container-pids answer: pid → the id of the container whose cgroup it is in (a 64-hex-digit id
    /// in its cgroup path), for pids in containers.
    public static func containerOfPids(_ output: String) -> [Int: String] {
        var result: [Int: String] = [:]
        for line in output.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard let pid = f.first.flatMap({ Int($0) }) else { continue }
            let text = f.dropFirst().joined(separator: " ")
            if let id = firstHexRun(in: text, length: 64) { result[pid] = id }
        }
        return result
    }

    static func firstHexRun(in text: String, length: Int) -> String? {
        var run = ""
        for c in text {
            if c.isHexDigit { run.append(c); if run.count == length { return run } } else { run = "" }
        }
        return nil
    }

    /// The free-space answer: `<path> <df -Pk line>`; path → available kilobytes.
    public static func freeSpace(_ output: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in output.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 5, let available = Int(f[4]) else { continue }
            result[String(f[0])] = available
        }
        return result
    }

    /// The model answer: `missing`, or `du -sk`'s `<kilobytes>\t<path>`. Nil when missing.
    public static func modelKilobytes(_ output: String) -> Int? {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text != "missing" else { return nil }
        return Int(text.prefix { $0.isASCII && $0.isNumber })
    }

    /// `ip -4 route list 0/0`: the interface after `dev` on the first line; "" without a default route.
    public static func defaultInterface(_ output: String) -> String {
        guard let first = output.split(separator: "\n").first else { return "" }
        let f = first.split(separator: " ")
        guard let dev = f.firstIndex(of: "dev"), dev + 1 < f.count else { return "" }
        return String(f[dev + 1])
    }
}
