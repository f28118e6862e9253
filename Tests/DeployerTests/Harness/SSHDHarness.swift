import Foundation

/// Starts one real OpenSSH sshd per fake host on its own loopback address (a random 127.x.y.0/24 block),
/// with key-only authentication, a generated known_hosts, and the recording shims first on PATH. sshd
/// daemonizes with its own PidFile; `stop()` kills it by that PID.
final class SSHDHarness: @unchecked Sendable {
    let dir: String
    let port: Int
    /// Fake host name → loopback address.
    let addresses: [String: String]
    let clientKey: String
    let knownHosts: String
    var statePath: String { dir + "/state" }
    private var pidFiles: [String: String] = [:]

    /// Where every machine's own files appear to its sshd when file systems are isolated: each sshd runs in
    /// its own mount namespace with `machines/<host>` bind-mounted here, so machines share nothing, while the
    /// test process (the executor) sees this directory's own contents.
    var fileSystemRoot: String { dir + "/fs" }
    private var isolated = false

    /// A machine's files as the test process sees them (isolated file systems only).
    func machineRoot(_ host: String) -> String { dir + "/machines/" + host }

    /// `addresses` fixes each host's loopback address (default: a random block); `isolateFileSystems` gives
    /// each machine its own view of `fileSystemRoot`; `interface` is the default-route interface `ip` reports.
    init(hosts: [String], passwordAuthentication: Bool = false, addresses fixed: [String: String]? = nil,
         isolateFileSystems: Bool = false, interface: String = "eth0") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-sshd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir + "/shims", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        port = Int.random(in: 20000...29999)
        let block = "127.\(Int.random(in: 100...199)).\(Int.random(in: 1...254))"
        var map: [String: String] = [:]
        for (i, host) in hosts.enumerated() { map[host] = fixed?[host] ?? "\(block).\(i + 2)" }
        addresses = map
        isolated = isolateFileSystems
        if isolateFileSystems {
            for host in hosts { try FileManager.default.createDirectory(atPath: dir + "/machines/" + host, withIntermediateDirectories: true) }
            try FileManager.default.createDirectory(atPath: dir + "/fs", withIntermediateDirectories: true)
        }
        clientKey = dir + "/client_ed25519"
        knownHosts = dir + "/known_hosts"
        try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey])
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: dir + "/authorized_keys")
        for (path, text) in [("docker", Shims.docker), ("hccn_tool", Shims.hccnTool), ("npu-smi", Shims.npuSmi), ("ip", Shims.ip),
                             ("ss", Shims.ss)] {
            try text.write(toFile: "\(dir)/shims/\(path)", atomically: true, encoding: .utf8)
            chmod("\(dir)/shims/\(path)", 0o755)
        }
        try Shims.listener.write(toFile: "\(dir)/state/listen.py", atomically: true, encoding: .utf8)
        var known = ""
        for host in hosts {
            let address = map[host]!
            let key = "\(dir)/host_\(host)"
            try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
            let pub = try String(contentsOfFile: key + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
            known += "[\(address)]:\(port) \(pub)\n"
            let config = """
            ListenAddress \(address)
            Port \(port)
            HostKey \(key)
            PidFile \(dir)/sshd_\(host).pid
            AuthorizedKeysFile \(dir)/authorized_keys
            PermitRootLogin yes
            StrictModes no
            UsePAM no
            PasswordAuthentication \(passwordAuthentication ? "yes" : "no")
            KbdInteractiveAuthentication no
            SetEnv PATH=\(dir)/shims:/usr/local/bin:/usr/bin:/bin OMNISIM_FAKE_HOST=\(host) OMNISIM_FAKE_ADDR=\(address) OMNISIM_STATE=\(dir)/state OMNISIM_FAKE_IFACE=\(interface)
            Subsystem sftp internal-sftp
            LogLevel ERROR
            """
            try config.write(toFile: "\(dir)/sshd_\(host).conf", atomically: true, encoding: .utf8)
            pidFiles[host] = "\(dir)/sshd_\(host).pid"
            try startSSHD(host)
        }
        try known.write(toFile: knownHosts, atomically: true, encoding: .utf8)
        for host in hosts { try waitUntilListening(map[host]!) }
    }

    deinit { stop() }

    private func waitUntilListening(_ address: String) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address, &addr.sin_addr)
            let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
            close(fd)
            if ok { return }
            usleep(20_000)
        }
        throw HarnessError("sshd on \(address):\(port) did not start; see \(dir)")
    }

    /// Kills one host's sshd (and its sessions), as if the machine went away.
    func kill(_ host: String) {
        guard let file = pidFiles[host], let text = try? String(contentsOfFile: file, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        // Each connection is a child of the listening sshd: end them first, then the listener.
        _ = try? Self.run("/usr/bin/pkill", ["-KILL", "-P", String(pid)], allowFailure: true)
        Foundation.kill(pid, SIGKILL)
        pidFiles[host] = nil
    }

    /// Stops every sshd and listener and removes the harness directory.
    /// Replaces a host by a new machine on the same address: new host key, fresh sshd.
    func replace(_ host: String) throws {
        kill(host)
        let key = "\(dir)/host_\(host)"
        try? FileManager.default.removeItem(atPath: key)
        try? FileManager.default.removeItem(atPath: key + ".pub")
        try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
        pidFiles[host] = "\(dir)/sshd_\(host).pid"
        try startSSHD(host)
        try waitUntilListening(addresses[host]!)
    }

    /// Starts a host's sshd, which daemonizes; with isolated file systems, inside its own mount namespace.
    private func startSSHD(_ host: String) throws {
        let sshd = ["/usr/sbin/sshd", "-f", "\(dir)/sshd_\(host).conf", "-E", "\(dir)/sshd_\(host).log"]
        guard isolated else { try Self.run(sshd[0], Array(sshd.dropFirst())); return }
        let script = "mount --bind '\(machineRoot(host))' '\(fileSystemRoot)' && exec " + sshd.map { "'\($0)'" }.joined(separator: " ")
        try Self.run("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script])
    }

    func stop() {
        for host in Array(pidFiles.keys) { kill(host) }
        if let pids = try? String(contentsOfFile: statePath + "/listeners.pids", encoding: .utf8) {
            for line in pids.split(separator: "\n") { if let pid = Int32(line) { Foundation.kill(pid, SIGTERM) } }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Recorded tool calls: (host, tool, arguments).
    func calls() -> [(host: String, tool: String, args: [String])] {
        guard let text = try? String(contentsOfFile: statePath + "/calls.log", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "", Array(parts.dropFirst(2)))
        }
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String], allowFailure: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 && !allowFailure {
            throw HarnessError("\(tool) \(arguments.joined(separator: " ")) failed: \(output)")
        }
        return output
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
