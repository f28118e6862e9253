/// What went wrong talking to a host; each case maps to a runner status.
public enum SSHError: Error, CustomStringConvertible, Sendable {
    /// TCP could not connect (refused, timed out, no route).
    case unreachable(String)
    case authentication(String)
    case hostKey(String)
    /// The connection dropped after it was established.
    case connectionLost(String)
    /// The connection was found dead before the command started: nothing ran on the host.
    case notStarted(String)
    case timedOut(String)
    case protocolError(String)
    case sftp(String)
    /// The run was interrupted and the grace period for running commands ran out.
    case interrupted(String)

    public var description: String {
        switch self {
        case .unreachable(let m), .authentication(let m), .hostKey(let m), .connectionLost(let m), .notStarted(let m),
             .timedOut(let m), .protocolError(let m), .sftp(let m), .interrupted(let m):
            return m
        }
    }
}

/// libssh2 constants whose C macros do not import as Swift values.
enum SSH2 {
    static let eagain: Int32 = -37
    static let blockInbound: Int32 = 1
    static let blockOutbound: Int32 = 2
    static let windowDefault: UInt32 = 2 * 1024 * 1024
    static let packetDefault: UInt32 = 32768
    static let knownHostPlain: Int32 = 1
    static let knownHostRaw: Int32 = 1 << 16
    static let knownHostFileOpenSSH: Int32 = 1
    static let checkMatch: Int32 = 0, checkMismatch: Int32 = 1, checkNotFound: Int32 = 2
    static let fxfRead: UInt = 1, fxfWrite: UInt = 2, fxfCreat: UInt = 8, fxfTrunc: UInt = 0x10
    static let sftpOpenFile: Int32 = 0
    static let sftpStat: Int32 = 0, sftpSetStat: Int32 = 2
    static let attrSize: UInt = 1, attrPermissions: UInt = 4, attrTimes: UInt = 8
    static let renameOverwrite: Int = 1, renameAtomic: Int = 2, renameNative: Int = 4

    /// known_hosts key-type bits for a `libssh2_session_hostkey` type.
    static func knownHostKeyBits(_ hostKeyType: Int32) -> Int32 {
        switch hostKeyType {
        case 1: return 2 << 18   // ssh-rsa
        case 2: return 3 << 18   // ssh-dss
        case 3: return 4 << 18   // ecdsa-sha2-nistp256
        case 4: return 5 << 18
        case 5: return 6 << 18
        case 6: return 7 << 18   // ssh-ed25519
        default: return 15 << 18
        }
    }

    static func keyTypeName(_ hostKeyType: Int32) -> String {
        ["unknown", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519"][Int(max(0, min(hostKeyType, 6)))]
    }
}
