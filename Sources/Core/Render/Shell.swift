/// Shell quoting for every value that enters a rendered command.
public enum Shell {
    /// `value` as one POSIX shell word: unchanged when it holds only safe characters, otherwise in single
    /// quotes with embedded single quotes escaped.
    public static func quote(_ value: String) -> String {
        if isSafeWord(value) { return value }
        var out = CommandBuffer(capacity: value.utf8.count + 8)
        out.quoted(value)
        return out.text
    }

    /// `-e NAME=value` for docker, with the value quoted.
    public static func env(_ name: String, _ value: String) -> String {
        var out = CommandBuffer(capacity: name.utf8.count + value.utf8.count + 8)
        out.env(name, value)
        return out.text
    }

    /// True when `value` is non-empty and every byte is safe unquoted.
    static func isSafeWord(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy(isSafe) }
    }

    /// Bytes that need no quoting: letters, digits and `_-./:=,@%+`. All are ASCII, so any byte of a
    /// multi-byte character is unsafe.
    static let safeCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,@%+"

    /// `safeCharacters` as bit sets over bytes 0–63 and 64–127 (a test checks them against the list).
    @inline(__always) static func isSafe(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x27ff_f820_0000_0000, high: UInt64 = 0x07ff_fffe_87ff_ffff
        return byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : byte < 128 && (high >> UInt64(byte - 64)) & 1 == 1
    }
}

/// A command line assembled in one byte buffer. Values are appended as quoted shell words, so rendering a
/// command makes no intermediate string per value.
public struct CommandBuffer {
    private var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends text as it is.
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends text produced earlier by another buffer.
    public mutating func append(_ other: CommandBuffer) { bytes.append(contentsOf: other.bytes) }

    /// Appends `value` as one shell word (see `Shell.quote`).
    public mutating func quoted(_ value: String) { quoted(name: nil, value) }

    /// Appends `-e NAME=value` with `NAME=value` as one shell word.
    public mutating func env(_ name: String, _ value: String) {
        append("-e ")
        quoted(name: name, value)
    }

    /// Appends `value`, or `name=value` when a name is given, as one shell word.
    private mutating func quoted(name: String?, _ value: String) {
        let named = name != nil
        var name = name ?? "", value = value
        name.withUTF8 { head in
            value.withUTF8 { tail in
                let safe = (named || !tail.isEmpty) && head.allSatisfy(Shell.isSafe) && tail.allSatisfy(Shell.isSafe)
                if !safe { bytes.append(UInt8(ascii: "'")) }
                appendEscaped(head)
                if named { bytes.append(UInt8(ascii: "=")) }
                appendEscaped(tail)
                if !safe { bytes.append(UInt8(ascii: "'")) }
            }
        }
    }

    /// The bytes, with each `'` as `'\''` (a quote cannot occur in a safe word).
    private mutating func appendEscaped(_ word: UnsafeBufferPointer<UInt8>) {
        guard word.contains(UInt8(ascii: "'")) else { return bytes.append(contentsOf: word) }
        for byte in word {
            if byte == UInt8(ascii: "'") {
                bytes.append(contentsOf: [UInt8(ascii: "'"), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "'")])
            } else {
                bytes.append(byte)
            }
        }
    }
}

extension String {
    /// Replaces every occurrence of `target`, comparing UTF-8 bytes (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        let bytes = Array(utf8), needle = Array(target.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return self }
        var out: [UInt8] = []
        var i = 0, copied = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<i + needle.count].elementsEqual(needle) {
                if out.isEmpty { out.reserveCapacity(bytes.count + replacement.utf8.count) }
                out.append(contentsOf: bytes[copied..<i])
                out.append(contentsOf: replacement.utf8)
                i += needle.count
                copied = i
            } else {
                i += 1
            }
        }
        guard copied > 0 else { return self }
        out.append(contentsOf: bytes[copied...])
        return String(decoding: out, as: UTF8.self)
    }
}
