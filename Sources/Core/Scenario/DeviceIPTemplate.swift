/// How a simulated machine's `hccn_tool -i <device> -ip -g` answers: a text in which `{device}` stands for
/// the device id and `{octet}` for the last number of the machine's address, e.g. `29.{octet}.{device}.1`.
public struct DeviceIPTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The placeholders a template may use.
    public static let placeholders = ["device", "octet"]

    enum Part: Sendable, Hashable {
        case text(String)
        case device
        case octet
    }

    let parts: [Part]
    /// The template as written.
    public let description: String

    /// The answer when no template is given: device d of a machine whose address ends in o is `29.o.0.d`.
    public static let builtIn = try! DeviceIPTemplate("29.{octet}.0.{device}")

    /// Why a template cannot be used, and at which character (from 0) of it.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
        public let offset: Int
    }

    public init(_ text: String) throws(ParseError) {
        var parts: [Part] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "}" {
                throw ParseError(description: "'}' without a matching '{'", offset: i)
            }
            guard c == "{" else {
                literal.append(c)
                i += 1
                continue
            }
            guard let close = chars[(i + 1)...].firstIndex(where: { $0 == "}" || $0 == "{" }), chars[close] == "}" else {
                throw ParseError(description: "'{' is not closed", offset: i)
            }
            let name = String(chars[(i + 1)..<close])
            if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
            switch name {
            case "device": parts.append(.device)
            case "octet": parts.append(.octet)
            default:
                let known = Self.placeholders.map { "{\($0)}" }.joined(separator: ", ")
                throw ParseError(description: "unknown placeholder '{\(name)}' (known: \(known))", offset: i)
            }
            i = close + 1
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        guard !parts.isEmpty else { throw ParseError(description: "the template is empty", offset: 0) }
        self.parts = parts
        self.description = text
    }

    public var usesOctet: Bool { parts.contains(.octet) }

    /// The address the template gives for `device` on a machine whose address ends in `octet`.
    public func render(octet: Int, device: Int) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .device: out += String(device)
            case .octet: out += String(octet)
            }
        }
        return out
    }

    /// The last dot-separated part of `address` when it is a number 0–255, as `{octet}` reads it.
    public static func octet(of address: String) -> Int? {
        guard let last = address.split(separator: ".", omittingEmptySubsequences: false).last,
              !last.isEmpty, last.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(last), value <= 255 else { return nil }
        return value
    }

    /// True when `text` is a dotted-quad IPv4 address (four numbers 0–255, no leading zeros).
    public static func isIPv4(_ text: String) -> Bool {
        let fields = text.split(separator: ".", omittingEmptySubsequences: false)
        return fields.count == 4 && fields.allSatisfy { field in
            !field.isEmpty && field.count <= 3 && field.allSatisfy { $0.isASCII && $0.isNumber }
                && (field.count == 1 || field.first != "0") && Int(field)! <= 255
        }
    }
}
