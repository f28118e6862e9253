import Foundation

/// A file written front to back in pieces through a buffer, for reports too large to build in memory
/// first. Made by `AtomicFile.stream`, which renames the finished file into place.
public final class FileSink {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 16

    init(creating path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw AtomicFile.WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        buffer.reserveCapacity(Self.flushSize)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushSize { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushSize { try flush() }
    }

    func flush() throws {
        if let why = AtomicFile.writeAll(fd, buffer) {
            throw AtomicFile.WriteError(description: "cannot write \(path): \(why)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes; the sink is not written again.
    func finish() throws {
        defer { close(fd) }
        try flush()
    }

    func abandon() { close(fd) }
}

extension AtomicFile {
    /// Writes the file at `path` piece by piece through `body`, then renames it into place; a reader sees
    /// the old file or the whole new one.
    public static func stream(_ path: String, createDirectories: Bool = true, _ body: (FileSink) throws -> Void) throws {
        try produce(path, createDirectories: createDirectories) { temporary in
            let sink = try FileSink(creating: temporary)
            do {
                try body(sink)
            } catch {
                sink.abandon()
                throw error
            }
            try sink.finish()
        }
    }
}
