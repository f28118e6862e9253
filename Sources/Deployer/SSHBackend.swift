import Core
import Foundation

/// Performs steps on real hosts over SSH (libssh2). One connection per inventory host, opened on first
/// use and kept for the whole run; up to `forks` hosts work at once, each on its own thread (blocking
/// libssh2 calls stay off Swift's small cooperative pool).
public final class SSHBackend: Backend, @unchecked Sendable {
    public struct Settings: Sendable {
        public var hostKeys = HostKeyPolicy()
        public var forks = 8
        public var connectTimeout = 10.0
        public var keepaliveInterval = 15
        /// Passphrase for the inventory's private keys (else `OMNISIM_KEY_PASSPHRASE`).
        public var passphrase: Secret?
        /// Prepended to PATH for every remote command.
        public var commandPATH: String?
        /// Bytes of stdout/stderr kept per operation.
        public var outputLimit = 64 * 1024
        /// After an interrupt, how long commands that change hosts may still finish before they are
        /// abandoned. Waits (readiness checks) stop at once.
        public var interruptGrace = 30.0

        public init() {}
    }

    public let settings: Settings
    private let lock = NSLock()
    private var sessions: [String: SSHSession] = [:]
    /// Host key seen at the first connection, per host: a different key later means the host was replaced.
    private var firstKeys: [String: [UInt8]] = [:]
    /// Number of SSH handshakes done, for tests and benchmarks.
    public private(set) var handshakeCount = 0
    private var abandonAt: Date?

    /// Called on SIGINT/SIGTERM: waits stop at once; other running commands get `interruptGrace` seconds,
    /// then are abandoned.
    public func interrupt() {
        lock.lock()
        if abandonAt == nil { abandonAt = Date().addingTimeInterval(settings.interruptGrace) }
        lock.unlock()
    }

    private var interrupted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return abandonAt != nil
    }

    private var graceExpired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return abandonAt.map { Date() >= $0 } ?? false
    }

    public init(settings: Settings = Settings()) { self.settings = settings }

    public func perform(_ tasks: [HostTask]) -> [HostOutcome] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var outcomes: [HostOutcome?]
            init(_ count: Int) { outcomes = Array(repeating: nil, count: count) }
        }
        let results = Results(tasks.count)
        let slots = DispatchSemaphore(value: max(1, settings.forks))
        let group = DispatchGroup()
        for (index, task) in tasks.enumerated() {
            slots.wait()
            group.enter()
            Thread.detachNewThread { [self] in
                let outcome = self.run(task)
                results.lock.lock()
                results.outcomes[index] = outcome
                results.lock.unlock()
                slots.signal()
                group.leave()
            }
        }
        group.wait()
        return results.outcomes.map { $0! }
    }

    public func close() {
        lock.lock()
        let all = sessions.values
        sessions = [:]
        lock.unlock()
        for session in all { session.shutdown() }
    }

    /// The host's connection; a connection the peer closed since the last step is replaced by a new one,
    /// whose host key is checked again (a replaced machine shows up here).
    private func session(for host: Host) throws -> SSHSession {
        lock.lock()
        let cached = sessions[host.name]
        lock.unlock()
        if let cached {
            if cached.isAlive { return cached }
            drop(host)
        }
        let target = SSHTarget(host: host.address, port: host.ssh.port, user: host.ssh.user, privateKeyFile: host.ssh.privateKeyFile,
                               password: host.ssh.password, passphrase: settings.passphrase)
        let session = try SSHSession(target: target, policy: settings.hostKeys, connectTimeout: settings.connectTimeout,
                                     keepaliveInterval: settings.keepaliveInterval)
        lock.lock()
        handshakeCount += 1
        sessions[host.name] = session
        firstKeys[host.name] = firstKeys[host.name] ?? session.hostKey
        lock.unlock()
        return session
    }

    private func drop(_ host: Host) {
        lock.lock()
        let session = sessions.removeValue(forKey: host.name)
        lock.unlock()
        session?.shutdown()
    }

    func run(_ task: HostTask) -> HostOutcome {
        guard let host = task.target.host else { return runOnExecutor(task) }
        let start = Date()
        let deadline = start.addingTimeInterval(task.timeout)
        var records: [OperationRecord] = []
        func outcome(_ status: HostStatus, _ message: String?) -> HostOutcome {
            HostOutcome(host: task.target.name, status: status, message: message, records: records, duration: Date().timeIntervalSince(start))
        }
        let needsSession = task.operations.contains {
            switch $0 {
            case .waitForPorts, .waitForPortsClosed: return false
            default: return $0.place != .executor
            }
        }
        var session: SSHSession?
        var reconnected = false
        do {
            if needsSession {
                session = try self.session(for: host)
                try checkHostUnchanged(host, session!)
            }
            for operation in task.operations {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { return outcome(.timedOut, "step '\(task.step.id)' exceeded \(Int(task.timeout)) s") }
                let record: OperationRecord
                do {
                    record = try perform(operation, on: host, session: session, timeout: remaining,
                                         abandonAtOnce: task.step.action.onlyWaits)
                } catch SSHError.notStarted where !reconnected {
                    // The kept connection died while idle and nothing ran: connect again (checking the host
                    // key again) and send the operation once more.
                    reconnected = true
                    drop(host)
                    session = try self.session(for: host)
                    try checkHostUnchanged(host, session!)
                    record = try perform(operation, on: host, session: session, timeout: deadline.timeIntervalSinceNow,
                                         abandonAtOnce: task.step.action.onlyWaits)
                }
                records.append(record)
                if record.exitStatus != 0 { return outcome(.failed, Self.failureMessage(record)) }
            }
            return outcome(.ok, nil)
        } catch let error as SSHError {
            switch error {
            case .unreachable(let m):
                return outcome(.unreachable, "UNREACHABLE: \(m)")
            case .authentication(let m):
                return outcome(.unreachable, m)
            case .hostKey(let m):
                return outcome(.failed, "\(host.name): \(m)")
            case .connectionLost(let m), .notStarted(let m):
                drop(host)
                return outcome(.unreachable, "\(m) during '\(task.step.id)'")
            case .timedOut(let m):
                drop(host)
                return outcome(.timedOut, "step '\(task.step.id)' on \(host.name): \(m)")
            case .protocolError(let m), .sftp(let m):
                return outcome(.failed, m)
            case .interrupted(let m):
                drop(host)
                return outcome(.interrupted, "step '\(task.step.id)' on \(host.name): \(m)")
            }
        } catch {
            return outcome(.failed, "\(error)")
        }
    }

    /// The steps that run once on the executor send only local commands.
    private func runOnExecutor(_ task: HostTask) -> HostOutcome {
        var records: [OperationRecord] = []
        var duration = 0.0
        for operation in task.operations {
            guard operation.place == .executor, let command = operation.command else {
                return HostOutcome(host: task.target.name, status: .failed, message: "step '\(task.step.id)' runs on the executor, "
                                   + "but '\(operation.summary)' is sent to a host", records: records, duration: duration)
            }
            let record = Self.runLocally(operation, command, timeout: task.timeout - duration)
            records.append(record)
            duration += record.duration
            if record.exitStatus != 0 {
                return HostOutcome(host: task.target.name, status: .failed, message: Self.failureMessage(record),
                                   records: records, duration: duration)
            }
        }
        return HostOutcome(host: task.target.name, status: .ok, records: records, duration: duration)
    }

    /// Runs an operation's command on the executor.
    private static func runLocally(_ operation: Operation, _ command: String, timeout: Double) -> OperationRecord {
        let start = Date()
        let result = LocalCommand.run(command, timeout: timeout)
        return OperationRecord(exitStatus: result.status, stdout: result.stdout, stderr: result.stderr,
                               duration: Date().timeIntervalSince(start))
    }

    /// A failed command in one line: its exit status and the last line of its error output.
    private static func failureMessage(_ record: OperationRecord) -> String {
        let last = record.stderr.split(separator: "\n").last.map(String.init) ?? ""
        return "exit \(record.exitStatus)\(last.isEmpty ? "" : ": " + last)"
    }

    /// A host whose key changes between steps has been replaced: stop using it.
    private func checkHostUnchanged(_ host: Host, _ session: SSHSession) throws {
        lock.lock()
        let first = firstKeys[host.name]
        lock.unlock()
        if let first, first != session.hostKey {
            throw SSHError.hostKey("the host key of \(host.name) (\(host.address)) changed during the run: the machine was replaced; stopping it")
        }
    }

    /// `abandonAtOnce`: the operation only waits, so an interrupt stops it without the grace period.
    private func perform(_ operation: Operation, on host: Host, session: SSHSession?, timeout: Double,
                         abandonAtOnce: Bool) throws -> OperationRecord {
        let start = Date()
        func record(_ status: Int32, _ out: String = "", _ err: String = "") -> OperationRecord {
            OperationRecord(exitStatus: status, stdout: out, stderr: err, duration: Date().timeIntervalSince(start))
        }
        switch operation {
        case .connect:
            return record(0, "connected to \(host.address):\(host.ssh.port); host key verified")
        case .writeFile(let path, let content, let mode):
            try session!.upload(Array(content.utf8), to: path, mode: mode)
            return record(0)
        case .pushTree(let local, let remote, let contentsOnly):
            let target = contentsOnly ? remote : remote + "/" + (local as NSString).lastPathComponent
            let count = try TreeSync.push(local: local, remote: target, session: session!)
            return record(0, "\(count) file(s) sent")
        case .fetchFile(let remote, let local):
            try AtomicFile.write(try session!.download(remote), to: local)
            return record(0)
        case .pullTree(let remote, let local, let contentsOnly):
            let target = contentsOnly ? local : local + "/" + (remote as NSString).lastPathComponent
            let count = try TreeSync.pull(remote: remote, local: target, session: session!, timeout: timeout)
            return record(0, "\(count) file(s) received")
        case .waitForPorts(let address, let ports, let seconds):
            let until = Date().addingTimeInterval(min(Double(seconds), timeout))
            var waiting = ports
            while true {
                // Short probes keep the loop responsive to interrupts.
                waiting = waiting.filter { !interrupted && !TCPSocket.isOpen(host: address, port: $0, timeout: 0.25) }
                if interrupted { throw SSHError.interrupted("interrupted while waiting for \(address)") }
                if waiting.isEmpty { return record(0, "ports \(ports.map(String.init).joined(separator: ",")) accept connections") }
                if Date() >= until {
                    return record(1, "", "not listening after \(seconds) s: \(waiting.map { "\(address):\($0)" }.joined(separator: ", "))")
                }
                usleep(100_000)
            }
        case .waitForPortsClosed(let address, let ports, let seconds):
            let until = Date().addingTimeInterval(min(Double(seconds), timeout))
            while true {
                let open = ports.filter { !interrupted && TCPSocket.isOpen(host: address, port: $0, timeout: 0.25) }
                if interrupted { throw SSHError.interrupted("interrupted while waiting for \(address)") }
                if open.isEmpty { return record(0, "ports \(ports.map(String.init).joined(separator: ",")) are closed") }
                if Date() >= until {
                    return record(1, "", "still listening after \(seconds) s: \(open.map { "\(address):\($0)" }.joined(separator: ", "))")
                }
                usleep(100_000)
            }
        default:
            // Every other operation is a command line, run where the operation says.
            let command = operation.command ?? ""
            if operation.place == .executor { return Self.runLocally(operation, command, timeout: timeout) }
            let full = settings.commandPATH.map { "export PATH=\(Shell.quote($0)):\"$PATH\"; " + command } ?? command
            let abort = abandonAtOnce ? { self.interrupted } : { self.graceExpired }
            let result = try session!.exec(full, timeout: timeout, outputLimit: settings.outputLimit, abort: abort)
            return record(result.exitStatus, result.stdout, result.stderr)
        }
    }
}
