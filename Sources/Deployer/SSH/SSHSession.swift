import CLibSSH2
import Core
import Foundation

/// Where and how to connect.
public struct SSHTarget: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var privateKeyFile: String?
    public var password: Secret?
    public var passphrase: Secret?

    public init(host: String, port: Int = 22, user: String = "root", privateKeyFile: String? = nil,
                password: Secret? = nil, passphrase: Secret? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.privateKeyFile = privateKeyFile
        self.password = password
        self.passphrase = passphrase
    }
}

/// How host keys are checked.
public struct HostKeyPolicy: Sendable {
    /// known_hosts file; default `~/.ssh/known_hosts`.
    public var knownHostsPath: String
    /// Add unknown keys (never replace a changed one), like OpenSSH's `accept-new`.
    public var acceptNew: Bool

    public init(knownHostsPath: String? = nil, acceptNew: Bool = false) {
        self.knownHostsPath = knownHostsPath ?? (NSHomeDirectory() + "/.ssh/known_hosts")
        self.acceptNew = acceptNew
    }
}

/// Serialises known_hosts reads and writes across host threads.
let knownHostsLock = NSLock()

/// One authenticated SSH connection. Not thread-safe: the backend uses each session from one thread at
/// a time (a host's steps never overlap), which is what `@unchecked Sendable` promises here.
public final class SSHSession: @unchecked Sendable {
    let session: OpaquePointer
    let socket: Int32
    public let target: SSHTarget
    /// The host key's SHA-256-free fingerprint material, to detect a host replaced between steps.
    public private(set) var hostKey: [UInt8] = []
    private var sftpHandle: OpaquePointer?
    private var closed = false

    private static let initialised: Bool = { libssh2_init(0) == 0 }()

    public init(target: SSHTarget, policy: HostKeyPolicy, connectTimeout: Double = 10, keepaliveInterval: Int = 15) throws {
        _ = Self.initialised
        self.target = target
        socket = try TCPSocket.connect(host: target.host, port: target.port, timeout: connectTimeout)
        guard let s = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(socket)
            throw SSHError.protocolError("libssh2 could not create a session")
        }
        session = s
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(connectTimeout * 1000))
        do {
            guard libssh2_session_handshake(session, socket) == 0 else {
                throw SSHError.unreachable("SSH handshake with \(target.host):\(target.port) failed: \(lastError())")
            }
            try verifyHostKey(policy)
            try authenticate()
            libssh2_keepalive_config(session, 1, UInt32(keepaliveInterval))
            libssh2_session_set_timeout(session, 0)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    public func shutdown() {
        guard !closed else { return }
        closed = true
        // Bound every goodbye: the peer may be gone or busy with an abandoned command.
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, 2000)
        if let sftp = sftpHandle { libssh2_sftp_shutdown(sftp) }
        libssh2_session_disconnect_ex(session, 11, "omnisim done", "")
        libssh2_session_free(session)
        close(socket)
    }

    /// False when the peer has closed the connection (e.g. the machine was rebooted or replaced).
    public var isAlive: Bool {
        guard !closed else { return false }
        var byte: UInt8 = 0
        let n = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    }

    func lastError() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "error \(code)"
    }

    var lastErrorCode: Int32 { libssh2_session_last_errno(session) }

    // MARK: Host keys

    /// The server's host key and its type.
    func serverKey() throws -> (key: [UInt8], type: Int32) {
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type) else {
            throw SSHError.hostKey("\(target.host) sent no host key")
        }
        return (raw.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }, type)
    }

    private func verifyHostKey(_ policy: HostKeyPolicy) throws {
        let (key, type) = try serverKey()
        hostKey = key
        knownHostsLock.lock()
        defer { knownHostsLock.unlock() }
        guard let known = libssh2_knownhost_init(session) else { throw SSHError.hostKey("libssh2 cannot read known_hosts") }
        defer { libssh2_knownhost_free(known) }
        if FileManager.default.fileExists(atPath: policy.knownHostsPath),
           libssh2_knownhost_readfile(known, policy.knownHostsPath, SSH2.knownHostFileOpenSSH) < 0 {
            throw SSHError.hostKey("cannot parse \(policy.knownHostsPath)")
        }
        let mask = SSH2.knownHostPlain | SSH2.knownHostRaw | SSH2.knownHostKeyBits(type)
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = key.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: key.count) {
                libssh2_knownhost_checkp(known, target.host, Int32(target.port), $0, key.count, mask, &entry)
            }
        }
        let name = target.port == 22 ? target.host : "[\(target.host)]:\(target.port)"
        switch result {
        case SSH2.checkMatch:
            return
        case SSH2.checkMismatch:
            throw SSHError.hostKey("the \(SSH2.keyTypeName(type)) host key of \(name) does not match \(policy.knownHostsPath): the host was replaced or someone is intercepting the connection; refusing to connect (if the change is expected, remove the old entry with `ssh-keygen -R '\(name)'`)")
        case SSH2.checkNotFound:
            guard policy.acceptNew else {
                throw SSHError.hostKey("\(name) is not in \(policy.knownHostsPath): refusing an unknown host key (add it with `ssh-keyscan -p \(target.port) \(target.host) >> \(policy.knownHostsPath)` after checking its fingerprint, or pass --accept-new-host-keys)")
            }
            let added = key.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: key.count) {
                    libssh2_knownhost_addc(known, name, nil, $0, key.count, nil, 0, mask, nil)
                }
            }
            try? FileManager.default.createDirectory(atPath: (policy.knownHostsPath as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            guard added == 0, libssh2_knownhost_writefile(known, policy.knownHostsPath, SSH2.knownHostFileOpenSSH) == 0 else {
                throw SSHError.hostKey("cannot add \(name) to \(policy.knownHostsPath)")
            }
        default:
            throw SSHError.hostKey("cannot check the host key of \(name) against \(policy.knownHostsPath)")
        }
    }

    // MARK: Authentication

    private func authenticate() throws {
        let user = target.user
        var tried: [String] = []
        if let key = target.privateKeyFile {
            let path = (key as NSString).expandingTildeInPath
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SSHError.authentication("private key \(path) for \(user)@\(target.host) is missing or unreadable")
            }
            let passphrase = target.passphrase?.value ?? ProcessInfo.processInfo.environment["OMNISIM_KEY_PASSPHRASE"]
            let rc = libssh2_userauth_publickey_fromfile_ex(session, user, UInt32(user.utf8.count), nil, path, passphrase)
            if rc == 0 { return }
            let isRSA = (try? String(contentsOfFile: path, encoding: .utf8))?.contains("RSA") == true
                || Self.opensshKeyType(path) == "ssh-rsa"
            tried.append("key \(path)\(isRSA ? " (an RSA key: libssh2 1.10 signs RSA with SHA-1 only, which OpenSSH 8.8+ refuses; use an ed25519 or ECDSA key)" : "")")
        }
        if let password = target.password {
            let rc = libssh2_userauth_password_ex(session, user, UInt32(user.utf8.count), password.value,
                                                  UInt32(password.value.utf8.count), nil)
            if rc == 0 { return }
            tried.append("password")
        }
        if target.privateKeyFile == nil && target.password == nil {
            if try authenticateWithAgent() { return }
            tried.append("ssh-agent")
        }
        throw SSHError.authentication("authentication failed for \(user)@\(target.host) (tried: \(tried.joined(separator: "; ")))")
    }

    private func authenticateWithAgent() throws -> Bool {
        guard ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] != nil, let agent = libssh2_agent_init(session) else { return false }
        defer { libssh2_agent_disconnect(agent); libssh2_agent_free(agent) }
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else { return false }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
        while libssh2_agent_get_identity(agent, &identity, previous) == 0 {
            if libssh2_agent_userauth(agent, target.user, identity) == 0 { return true }
            previous = identity
        }
        return false
    }

    /// The key type named in the matching `.pub` file, when there is one.
    static func opensshKeyType(_ privateKey: String) -> String? {
        guard let pub = try? String(contentsOfFile: privateKey + ".pub", encoding: .utf8) else { return nil }
        return pub.split(separator: " ").first.map(String.init)
    }

    // MARK: SFTP

    func sftp() throws -> OpaquePointer {
        if let existing = sftpHandle { return existing }
        libssh2_session_set_blocking(session, 1)
        guard let handle = libssh2_sftp_init(session) else {
            throw classify("cannot start SFTP on \(target.host): \(lastError())")
        }
        sftpHandle = handle
        return handle
    }

    /// Maps a libssh2 failure to lost-connection or protocol errors.
    func classify(_ message: String) -> SSHError {
        let code = lastErrorCode
        if code == -13 || code == -43 || code == -7 || code == -9 { return .connectionLost("connection to \(target.host) lost: \(message)") }
        return .protocolError(message)
    }
}
