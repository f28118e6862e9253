import CLibSSH2
import Core
import Foundation

/// The result of a remote command.
public struct ExecResult: Sendable {
    public var exitStatus: Int32
    public var stdout: String
    public var stderr: String
    public var duration: Double
}

extension SSHSession {
    /// Runs `command` with `/bin/bash -c`, reading stdout and stderr together without blocking so a
    /// chatty command cannot stall the channel, until it exits or `timeout` passes. Keeps the last
    /// `outputLimit` bytes of each stream. A command that ends without an exit status is an error.
    /// `abort` is polled while waiting; when it returns true the command is abandoned as interrupted.
    public func exec(_ command: String, timeout: Double, outputLimit: Int = 1 << 20, abort: () -> Bool = { false }) throws -> ExecResult {
        let start = Date()
        let deadline = start.addingTimeInterval(timeout)
        libssh2_session_set_blocking(session, 1)
        guard let channel = libssh2_channel_open_ex(session, "session", 7, SSH2.windowDefault, SSH2.packetDefault, nil, 0) else {
            let error = classify("cannot open a channel on \(target.host): \(lastError())")
            if case .connectionLost(let m) = error { throw SSHError.notStarted(m) }
            throw error
        }
        // A channel whose command is still running cannot be freed without waiting for it; after a timeout the
        // caller drops the whole session instead, which releases the channel too.
        var abandon = false
        defer { if !abandon { libssh2_channel_free(channel) } }
        let wrapped = "/bin/bash -c " + Shell.quote(command)
        guard libssh2_channel_process_startup(channel, "exec", 4, wrapped, UInt32(wrapped.utf8.count)) == 0 else {
            throw classify("cannot start the command on \(target.host): \(lastError())")
        }
        libssh2_session_set_blocking(session, 0)
        defer { libssh2_session_set_blocking(session, 1) }
        var out = BoundedBuffer(limit: outputLimit), err = BoundedBuffer(limit: outputLimit)
        var buffer = [CChar](repeating: 0, count: 32768)
        while true {
            var progressed = false
            for stream in [Int32(0), 1] {
                while true {
                    let n = libssh2_channel_read_ex(channel, stream, &buffer, buffer.count)
                    if n > 0 {
                        buffer.withUnsafeBytes { raw in
                            let bytes = raw.bindMemory(to: UInt8.self)
                            if stream == 0 { out.append(bytes.prefix(n)) } else { err.append(bytes.prefix(n)) }
                        }
                        progressed = true
                    } else if n == Int(SSH2.eagain) || n == 0 {
                        break
                    } else {
                        abandon = true
                        throw classify("reading from \(target.host) failed: \(lastError())")
                    }
                }
            }
            if libssh2_channel_eof(channel) != 0 { break }
            if Date() >= deadline {
                abandon = true
                throw SSHError.timedOut("no exit within \(Int(timeout)) s")
            }
            if abort() {
                abandon = true
                throw SSHError.interrupted("interrupted while the command was still running")
            }
            if !progressed { try waitForSocket(until: deadline) }
        }
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, 10_000)
        defer { libssh2_session_set_timeout(session, 0) }
        libssh2_channel_close(channel)
        libssh2_channel_wait_closed(channel)
        var signal: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        libssh2_channel_get_exit_signal(channel, &signal, &signalLength, nil, nil, nil, nil)
        if let signal {
            let name = String(cString: signal)
            free(signal)
            return ExecResult(exitStatus: 128 + Self.signalNumber(name), stdout: out.text, stderr: err.text + "killed by SIG\(name)",
                              duration: Date().timeIntervalSince(start))
        }
        let status = libssh2_channel_get_exit_status(channel)
        // libssh2 reports 0 when no exit-status message arrived; only trust it if the channel closed cleanly.
        if status == 0 && libssh2_channel_eof(channel) == 0 {
            throw SSHError.connectionLost("the command on \(target.host) ended without an exit status")
        }
        return ExecResult(exitStatus: status, stdout: out.text, stderr: err.text, duration: Date().timeIntervalSince(start))
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, or the deadline, while
    /// sending keepalives so long quiet steps keep the connection.
    func waitForSocket(until deadline: Date) throws {
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & SSH2.blockInbound != 0 { events |= Int16(POLLIN) }
        if directions & SSH2.blockOutbound != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var pfd = pollfd(fd: socket, events: events, revents: 0)
        // At most 200 ms, so `abort` is polled often enough for an interrupt to act at once.
        let wait = max(0, min(200, Int32(deadline.timeIntervalSinceNow * 1000)))
        _ = poll(&pfd, 1, wait)
        if pfd.revents & Int16(POLLHUP | POLLERR) != 0 && pfd.revents & Int16(POLLIN) == 0 {
            throw SSHError.connectionLost("connection to \(target.host) lost")
        }
        var next: Int32 = 0
        _ = libssh2_keepalive_send(session, &next)
    }

    static func signalNumber(_ name: String) -> Int32 {
        ["HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "SEGV": 11, "PIPE": 13, "TERM": 15][name] ?? 0
    }
}

/// Keeps at most `limit` bytes, dropping the oldest.
struct BoundedBuffer {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var dropped = 0

    init(limit: Int) { self.limit = limit }

    mutating func append<C: Collection>(_ more: C) where C.Element == UInt8 {
        bytes.append(contentsOf: more)
        if bytes.count > limit * 2 {
            let excess = bytes.count - limit
            dropped += excess
            bytes.removeFirst(excess)
        }
    }

    var text: String {
        let kept = bytes.count > limit ? Array(bytes.suffix(limit)) : bytes
        let cut = dropped + (bytes.count - kept.count)
        return (cut > 0 ? "[… \(cut) bytes cut]\n" : "") + String(decoding: kept, as: UTF8.self)
    }
}
