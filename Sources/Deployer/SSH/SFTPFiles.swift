import CLibSSH2
import Core
import Foundation

/// File transfer over SFTP: atomic uploads with modes and times kept, downloads, directories.
extension SSHSession {
    public struct RemoteStat: Sendable {
        public var size: UInt64
        public var mtime: UInt
        public var permissions: UInt
        public var isDirectory: Bool
    }

    public func stat(_ path: String) throws -> RemoteStat? {
        let sftp = try sftp()
        var attrs = LIBSSH2_SFTP_ATTRIBUTES()
        guard libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), SSH2.sftpStat, &attrs) == 0 else {
            if libssh2_sftp_last_error(sftp) == 2 { return nil }  // SSH_FX_NO_SUCH_FILE
            throw classify("stat \(path) on \(target.host): \(lastError())")
        }
        return RemoteStat(size: attrs.filesize, mtime: attrs.mtime, permissions: attrs.permissions & 0o7777,
                          isDirectory: attrs.permissions & 0o170000 == 0o040000)
    }

    /// `mkdir -p` over SFTP.
    public func makeDirectories(_ path: String) throws {
        let sftp = try sftp()
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if let existing = try stat(current) {
                if !existing.isDirectory { throw SSHError.sftp("\(current) on \(target.host) is not a directory") }
                continue
            }
            if libssh2_sftp_mkdir_ex(sftp, current, UInt32(current.utf8.count), 0o755) != 0, try stat(current) == nil {
                throw SSHError.sftp("cannot create \(current) on \(target.host): \(sftpError(sftp))")
            }
        }
    }

    /// Writes `bytes` to a temporary name next to `path`, then renames it over `path`.
    public func upload(_ bytes: [UInt8], to path: String, mode: Int, mtime: UInt? = nil) throws {
        let sftp = try sftp()
        let parent = (path as NSString).deletingLastPathComponent
        try makeDirectories(parent.isEmpty ? "/" : parent)
        let temporary = "\(parent)/.\((path as NSString).lastPathComponent).omnisim-\(UInt32.random(in: 0...UInt32.max))"
        guard let handle = libssh2_sftp_open_ex(sftp, temporary, UInt32(temporary.utf8.count), SSH2.fxfWrite | SSH2.fxfCreat | SSH2.fxfTrunc,
                                                mode, SSH2.sftpOpenFile) else {
            throw SSHError.sftp("cannot write \(path) on \(target.host): \(sftpError(sftp))")
        }
        var offset = 0
        var failed: String?
        bytes.withUnsafeBufferPointer { buffer in
            while offset < buffer.count {
                let n = buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: buffer.count - offset) {
                    libssh2_sftp_write(handle, $0, min(buffer.count - offset, 32768))
                }
                if n <= 0 { failed = sftpError(sftp); break }
                offset += n
            }
        }
        libssh2_sftp_close_handle(handle)
        var attrs = LIBSSH2_SFTP_ATTRIBUTES()
        attrs.flags = SSH2.attrPermissions | (mtime != nil ? SSH2.attrTimes : 0)
        attrs.permissions = UInt(mode)
        if let mtime { attrs.mtime = mtime; attrs.atime = mtime }
        if failed == nil, libssh2_sftp_stat_ex(sftp, temporary, UInt32(temporary.utf8.count), SSH2.sftpSetStat, &attrs) != 0 {
            failed = "setting mode and times: " + sftpError(sftp)
        }
        // SFTP v3 servers (OpenSSH) refuse to rename over an existing file; rename(2) via `mv -f` does it atomically.
        if failed == nil, libssh2_sftp_rename_ex(sftp, temporary, UInt32(temporary.utf8.count), path, UInt32(path.utf8.count),
                                                 SSH2.renameOverwrite | SSH2.renameAtomic | SSH2.renameNative) != 0 {
            let moved = try exec("mv -f -- \(Shell.quote(temporary)) \(Shell.quote(path))", timeout: 30)
            if moved.exitStatus != 0 { failed = "renaming into place: " + moved.stderr.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        if let failed {
            _ = libssh2_sftp_unlink_ex(sftp, temporary, UInt32(temporary.utf8.count))
            throw SSHError.sftp("cannot write \(path) on \(target.host): \(failed)")
        }
    }

    public func download(_ path: String) throws -> [UInt8] {
        let sftp = try sftp()
        guard let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), SSH2.fxfRead, 0, SSH2.sftpOpenFile) else {
            throw SSHError.sftp("cannot read \(path) on \(target.host): \(sftpError(sftp))")
        }
        defer { libssh2_sftp_close_handle(handle) }
        var result: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: 32768)
        while true {
            let n = libssh2_sftp_read(handle, &buffer, buffer.count)
            if n == 0 { break }
            guard n > 0 else { throw SSHError.sftp("reading \(path) on \(target.host) failed: \(sftpError(sftp))") }
            buffer.withUnsafeBytes { result.append(contentsOf: $0.bindMemory(to: UInt8.self).prefix(n)) }
        }
        return result
    }

    func sftpError(_ sftp: OpaquePointer) -> String {
        let code = libssh2_sftp_last_error(sftp)
        let names: [UInt: String] = [2: "no such file", 3: "permission denied", 4: "failure", 14: "no space left on device"]
        return code == 0 ? lastError() : "SFTP error \(code)\(names[code].map { " (\($0))" } ?? "")"
    }
}
