/// A JSON value that keeps object key order, printed exactly as Python's `json.dump(obj, f, indent=4)`
/// prints it (`ensure_ascii`, `": "` between key and value, items on their own lines).
public enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// Text with 4-space indentation and no trailing newline.
    public func printed() -> String { String(decoding: printedBytes(), as: UTF8.self) }

    /// The printed text's UTF-8 bytes, for writers and fingerprints that need no `String`.
    public func printedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(into: &out, indent: 0)
        return out
    }

    /// The value's text as it appears nested `indent` spaces deep in a printed document (its first line
    /// unpadded): what a writer that prints a large document piece by piece appends after a key.
    public func write(into out: inout [UInt8], nestedAt indent: Int) {
        write(into: &out, indent: indent)
    }

    /// A string as a JSON literal, as `printed()` writes strings and keys.
    public static func quoted(_ s: String, into out: inout [UInt8]) {
        quote(s, into: &out)
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 64)

    /// `count` spaces: indentation is most of a ranktable's bytes, so it is copied in runs.
    private static func pad(_ out: inout [UInt8], _ count: Int) {
        var left = count
        while left > 0 {
            let run = min(left, spaces.count)
            out.append(contentsOf: spaces[..<run])
            left -= run
        }
    }

    /// `,` between items, then the line break.
    private static func endItem(_ out: inout [UInt8], last: Bool) {
        if !last { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\n"))
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            out.append(UInt8(ascii: "\n"))
            for i in items.indices {
                Self.pad(&out, indent + 4)
                items[i].write(into: &out, indent: indent + 4)
                Self.endItem(&out, last: i == items.count - 1)
            }
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "\n"))
            for i in pairs.indices {
                Self.pad(&out, indent + 4)
                Self.quote(pairs[i].0, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                pairs[i].1.write(into: &out, indent: indent + 4)
                Self.endItem(&out, last: i == pairs.count - 1)
            }
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal as Python writes it with `ensure_ascii`: printable ASCII as is, everything
    /// else escaped (`\uXXXX`, surrogate pairs above U+FFFF).
    private static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Printable ASCII without quote or backslash, the usual case, is copied as it is.
        var text = s
        let plain = text.withUTF8 { bytes in
            for byte in bytes where byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if !plain {
            for unit in s.unicodeScalars {
                switch unit {
                case "\"": out.append(contentsOf: "\\\"".utf8)
                case "\\": out.append(contentsOf: "\\\\".utf8)
                case "\n": out.append(contentsOf: "\\n".utf8)
                case "\r": out.append(contentsOf: "\\r".utf8)
                case "\t": out.append(contentsOf: "\\t".utf8)
                case "\u{08}": out.append(contentsOf: "\\b".utf8)
                case "\u{0C}": out.append(contentsOf: "\\f".utf8)
                default:
                    if unit.value < 0x20 || unit.value > 0x7E {
                        for code in String(unit).utf16 {
                            let hex = String(code, radix: 16)
                            out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                        }
                    } else {
                        out.append(UInt8(unit.value))
                    }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses JSON text strictly; errors name the byte offset.
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw JSONError("unexpected data after the value at byte \(parser.index)") }
        return value
    }
}

public struct JSONError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "invalid JSON: " + description }
}

/// A strict recursive-descent JSON parser over UTF-8 bytes.
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func value() throws -> JSONValue {
        skipSpace()
        guard index < bytes.count else { throw JSONError("unexpected end") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw JSONError("nesting too deep") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == Self.quote else { throw JSONError("expected a key at byte \(index)") }
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                pairs.append((key, try value()))
                skipSpace()
                if try separator(UInt8(ascii: "}")) { return .object(pairs) }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                if try separator(UInt8(ascii: "]")) { return .array(items) }
            }
        case Self.quote: return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .int(try number())
        }
    }

    private mutating func number() throws -> Int {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var value = 0
        let digitsStart = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(bytes[index] - 0x30))
            if o1 || o2 { throw JSONError("number too large at byte \(start)") }
            value = sum
            index += 1
        }
        guard index > digitsStart else { throw JSONError("unexpected character at byte \(start)") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            throw JSONError("fractional numbers are not expected (byte \(start))")
        }
        return negative ? -value : value
    }

    private mutating func separator(_ close: UInt8) throws -> Bool {
        guard index < bytes.count else { throw JSONError("unexpected end") }
        if bytes[index] == UInt8(ascii: ",") { index += 1; return false }
        if bytes[index] == close { index += 1; return true }
        throw JSONError("expected ',' or '\(Character(UnicodeScalar(close)))' at byte \(index)")
    }

    private mutating func expect(_ c: UInt8) throws {
        guard index < bytes.count, bytes[index] == c else { throw JSONError("expected '\(Character(UnicodeScalar(c)))' at byte \(index)") }
        index += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONError("unexpected character at byte \(index)") }
        for k in 0..<count where bytes[index + k] != word.utf8Start[k] { throw JSONError("unexpected character at byte \(index)") }
        index += count
    }

    /// A string literal; runs without escapes are decoded in one piece.
    private mutating func string() throws -> String {
        index += 1
        var result = ""
        var runStart = index
        while index < bytes.count {
            let b = bytes[index]
            if b == Self.quote {
                result += String(decoding: bytes[runStart..<index], as: UTF8.self)
                index += 1
                return result
            }
            if b < 0x20 { throw JSONError("control character in a string at byte \(index)") }
            if b != Self.backslash { index += 1; continue }
            result += String(decoding: bytes[runStart..<index], as: UTF8.self)
            guard index + 1 < bytes.count else { break }
            let e = bytes[index + 1]
            index += 2
            switch e {
            case UInt8(ascii: "n"): result += "\n"
            case UInt8(ascii: "t"): result += "\t"
            case UInt8(ascii: "r"): result += "\r"
            case UInt8(ascii: "b"): result += "\u{08}"
            case UInt8(ascii: "f"): result += "\u{0C}"
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                    throw JSONError("bad \\u escape at byte \(index)")
                }
                index += 4
                result.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            case Self.quote, Self.backslash, UInt8(ascii: "/"): result.unicodeScalars.append(Unicode.Scalar(e))
            default: throw JSONError("bad escape at byte \(index - 1)")
            }
            runStart = index
        }
        throw JSONError("unterminated string")
    }
}
