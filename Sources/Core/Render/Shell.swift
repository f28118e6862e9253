/// Shell quoting for every value that enters a rendered command.
public enum Shell {
    /// `value` as one POSIX shell word: unchanged when it holds only safe characters, otherwise in single
    /// quotes with embedded single quotes escaped.
    public static func quote(_ value: String) -> String {
        var value = value
        let (safe, hasQuote) = value.withUTF8 { bytes in
            (!bytes.isEmpty && bytes.allSatisfy(isSafe), bytes.contains(UInt8(ascii: "'")))
        }
        if safe { return value }
        if !hasQuote { return "'" + value + "'" }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 8)
        out.append(UInt8(ascii: "'"))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "'") { out.append(contentsOf: "'\\''".utf8) } else { out.append(byte) }
        }
        out.append(UInt8(ascii: "'"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `-e NAME=value` for docker, with the value quoted.
    public static func env(_ name: String, _ value: String) -> String { "-e " + quote("\(name)=\(value)") }

    /// Bytes that need no quoting; all are ASCII, so any byte of a multi-byte character is unsafe.
    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="),
             UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"):
            return true
        default:
            return false
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
