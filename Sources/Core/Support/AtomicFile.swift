import Foundation

/// Writes files so that readers see either the old content or the new one, never a half-written file:
/// a temporary file in the same directory, renamed over the target. Everything written this way (reports,
/// fetched logs) can be produced again, so it is not forced to disk: fsync per file dominated the time of
/// a small validation.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ text: String, to path: String, createDirectories: Bool = true) throws {
        try write(Array(text.utf8), to: path, createDirectories: createDirectories)
    }

    public static func write(_ bytes: [UInt8], to path: String, createDirectories: Bool = true) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        if createDirectories {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw WriteError(description: "cannot create directory \(dir): \(error.localizedDescription)")
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WriteError(description: "\(path) is a directory")
        }
        let name = (path as NSString).lastPathComponent
        let temporary = "\(dir)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        var ok = true
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { ok = false; return }
                offset += n
            }
        }
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let why = ok ? String(cString: strerror(errno)) : reason
            unlink(temporary)
            throw WriteError(description: "cannot write \(path): \(why)")
        }
    }
}
