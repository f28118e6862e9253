import Core
import Foundation

/// Directory trees between the executor and a host over SFTP: only files whose size or modification
/// time differ are sent, with their modes and times kept so the next push skips them.
enum TreeSync {
    static func push(local: String, remote: String, session: SSHSession) throws -> Int {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SSHError.sftp("\(local) does not exist on the executor")
        }
        try session.makeDirectories(remote)
        var sent = 0
        let files = FileManager.default.enumerator(atPath: local)?.compactMap { $0 as? String }.sorted() ?? []
        for relative in files {
            let path = local + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let destination = remote + "/" + relative
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                try session.makeDirectories(destination)
                continue
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            let mtime = UInt((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
            if let existing = try session.stat(destination), existing.size == size, existing.mtime == mtime,
               existing.permissions == UInt(mode) {
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw SSHError.sftp("cannot read \(path)") }
            try session.upload(Array(data), to: destination, mode: mode, mtime: mtime)
            sent += 1
        }
        return sent
    }

    static func pull(remote: String, local: String, session: SSHSession, timeout: Double) throws -> Int {
        let listing = try session.exec("cd \(Shell.quote(remote)) && find . -type f -printf '%P\\t%m\\n'", timeout: timeout)
        guard listing.exitStatus == 0 else {
            throw SSHError.sftp("cannot list \(remote) on \(session.target.host): \(listing.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var count = 0
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        for line in listing.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            let relative = String(parts[0])
            let destination = local + "/" + relative
            try AtomicFile.write(try session.download(remote + "/" + relative), to: destination)
            if let mode = Int(parts[1], radix: 8) { chmod(destination, mode_t(mode)) }
            count += 1
        }
        return count
    }
}
