import Foundation

/// Writes files so that readers see either the old content or the new one, never a half-written file:
/// a temporary file in the same directory, renamed over the target. Everything written this way (reports,
/// fetched logs) can be produced again, so it is not forced to disk (an fsync per file would dominate the
/// time of a small validation).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ text: String, to path: String, createDirectories: Bool = true) throws {
        try produce(path, createDirectories: createDirectories) { temporary in
            if let why = createFile(temporary, text.utf8) { throw WriteError(description: "cannot write \(path): \(why)") }
        }
    }

    public static func write(_ bytes: [UInt8], to path: String, createDirectories: Bool = true) throws {
        try produce(path, createDirectories: createDirectories) { temporary in
            if let why = createFile(temporary, bytes) { throw WriteError(description: "cannot write \(path): \(why)") }
        }
    }

    /// Lets `body` create a new file at the temporary path it is given, then renames that file to `path`.
    /// A temporary file left behind by a failing `body` is removed.
    public static func produce(_ path: String, createDirectories: Bool = true, _ body: (String) throws -> Void) throws {
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
        do {
            try body(temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(description: "cannot write \(path): \(why)")
        }
    }

    /// Creates `path` (which must not exist) holding `bytes`; returns why it failed, or nil. A partly
    /// written file is removed.
    static func createFile<Bytes: Collection<UInt8>>(_ path: String, _ bytes: Bytes) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let failure = writeAll(fd, bytes)
        close(fd)
        if failure != nil { unlink(path) }
        return failure
    }

    /// Writes all of `bytes` to `fd`; returns why it failed, or nil.
    static func writeAll<Bytes: Collection<UInt8>>(_ fd: Int32, _ bytes: Bytes) -> String? {
        func drain(_ buffer: UnsafeRawBufferPointer) -> String? {
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return String(cString: strerror(errno)) }
                offset += n
            }
            return nil
        }
        if let done = bytes.withContiguousStorageIfAvailable({ drain(UnsafeRawBufferPointer($0)) }) { return done }
        return Array(bytes).withUnsafeBytes(drain)
    }
}

extension AtomicFile {
    /// Replaces the directory at `path` with one holding exactly `files` (relative path → text) and
    /// `links` (relative path → symbolic link target, kept as given). See `replaceDirectory(_:_:)`.
    public static func replaceDirectory(_ path: String, with files: [(relative: String, text: String)],
                                        links: [(relative: String, target: String)] = []) throws {
        try replaceDirectory(path) { tree in
            for file in files { try tree.file(file.relative, file.text) }
            for link in links { try tree.link(link.relative, to: link.target) }
        }
    }

    /// Replaces the directory at `path` with the one `body` fills, file by file: written beside it under a
    /// temporary name, then swapped in by renames, so a reader sees the old tree or the new one, never a
    /// mix. Files left over from an earlier run disappear with the old tree.
    public static func replaceDirectory(_ path: String, _ body: (DirectoryWriter) throws -> Void) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw WriteError(description: "\(path) exists and is not a directory") }
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let staging = "\(parent.isEmpty ? "." : parent)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try body(DirectoryWriter(root: staging, shownAs: path))
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error as? WriteError ?? WriteError(description: "cannot write \(path): \(error.localizedDescription)")
        }
        if !exists {
            guard rename(staging, path) == 0 else {
                let why = String(cString: strerror(errno))
                try? fm.removeItem(atPath: staging)
                throw WriteError(description: "cannot write \(path): \(why)")
            }
            return
        }
        // Swap the two trees, then delete the old one (now under the staging name).
        guard exchange(staging, path) else {
            let why = String(cString: strerror(errno))
            try? fm.removeItem(atPath: staging)
            throw WriteError(description: "cannot replace \(path): \(why)")
        }
        try? fm.removeItem(atPath: staging)
    }

    /// Fills a new directory tree one file or link at a time; parent directories are made as needed.
    public final class DirectoryWriter {
        private let root: String
        private let shownAs: String
        private var created: Set<String>

        init(root: String, shownAs: String) {
            self.root = root
            self.shownAs = shownAs
            created = [root]
        }

        /// A file at `relative` holding `text`.
        public func file(_ relative: String, _ text: String) throws {
            let target = try prepare(relative)
            if let why = AtomicFile.createFile(target, text.utf8) {
                throw WriteError(description: "cannot write \(shownAs)/\(relative): \(why)")
            }
        }

        /// A file at `relative` holding `bytes`.
        public func file(_ relative: String, bytes: UnsafeBufferPointer<UInt8>) throws {
            let target = try prepare(relative)
            if let why = AtomicFile.createFile(target, bytes) {
                throw WriteError(description: "cannot write \(shownAs)/\(relative): \(why)")
            }
        }

        /// A symbolic link at `relative` to `target`, kept as given.
        public func link(_ relative: String, to target: String) throws {
            let at = try prepare(relative)
            guard symlink(target, at) == 0 else {
                throw WriteError(description: "cannot link \(shownAs)/\(relative): \(String(cString: strerror(errno)))")
            }
        }

        private func prepare(_ relative: String) throws -> String {
            let at = root + "/" + relative
            // The directory is everything before the last `/` (`relative` holds no `.` or `..`).
            let directory = String(Substring(at.utf8[..<at.utf8.lastIndex(of: UInt8(ascii: "/"))!]))
            if created.insert(directory).inserted {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw WriteError(description: "cannot write \(shownAs)/\(relative): \(error.localizedDescription)")
                }
            }
            return at
        }
    }
}

/// Puts `a` in place of `b` and `b` in place of `a`, by two renames through a third name.
private func exchange(_ a: String, _ b: String) -> Bool {
    let aside = b + ".old-\(getpid())"
    guard rename(b, aside) == 0 else { return false }
    guard rename(a, b) == 0 else { _ = rename(aside, b); return false }
    return rename(aside, a) == 0
}
