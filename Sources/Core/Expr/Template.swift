/// A string value from an inventory, split into literal text and `{{ … }}` expressions. Parsed once,
/// evaluated per host.
public struct Template: Sendable {
    enum Part: Sendable {
        case text(String)
        case expression(Expression)
    }

    let parts: [Part]
    let location: SourceLocation
    /// True when the text is exactly one `{{ … }}` (whitespace around it allowed).
    let isSingleExpression: Bool

    /// The same template read at another place (expressions keep offsets relative to the start).
    func moved(to location: SourceLocation) -> Template {
        Template(parts: parts, location: location, isSingleExpression: isSingleExpression)
    }

    /// True when `text` has `{{`, `{%` or `{#`: only such text needs parsing.
    public static func mayContainJinja(_ text: String) -> Bool {
        var previousBrace = false
        for byte in text.utf8 {
            if previousBrace && (byte == UInt8(ascii: "{") || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "#")) { return true }
            previousBrace = byte == UInt8(ascii: "{")
        }
        return false
    }

    /// `location` is where the first character of `text` sits in the user's file.
    public static func parse(_ text: String, at location: SourceLocation) throws -> Template {
        let chars = Array(text)
        var parts: [Part] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "%" || chars[i + 1] == "#" {
                throw InputError(code: "OMS014", chars[i + 1] == "%" ? "Jinja statements ({% … %}) are not supported in inventory values"
                                 : "Jinja comments ({# … #}) are not supported in inventory values", at: location.advanced(by: i))
            }
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                guard let close = find("}}", in: chars, from: i + 2) else {
                    throw InputError(code: "OMS010", "'{{' is never closed with '}}'", at: location.advanced(by: i))
                }
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                let tokens = try Lexer.tokenize(chars, from: i + 2, to: close, at: location)
                if tokens.count == 1 { throw InputError(code: "OMS010", "empty expression '{{ }}'", at: location.advanced(by: i)) }
                parts.append(.expression(try Parser.parse(tokens, location: location)))
                i = close + 2
                continue
            }
            literal.append(chars[i])
            i += 1
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        let expressions = parts.filter { if case .expression = $0 { true } else { false } }.count
        let nonBlankText = parts.contains { if case .text(let t) = $0 { !t.allSatisfy(\.isWhitespace) } else { false } }
        return Template(parts: parts, location: location, isSingleExpression: expressions == 1 && !nonBlankText)
    }

    private static func find(_ needle: String, in chars: [Character], from start: Int) -> Int? {
        let n = Array(needle)
        var i = start
        while i + n.count <= chars.count {
            if Array(chars[i..<i + n.count]) == n { return i }
            i += 1
        }
        return nil
    }

    public var isConstant: Bool { !parts.contains { if case .expression = $0 { true } else { false } } }

    /// Top-level names referenced, in first-use order.
    public var variables: [String] {
        var names: [String] = []
        for part in parts { if case .expression(let e) = part { e.collectVariables(into: &names) } }
        return names
    }

    /// A single-expression template yields the expression's own value; otherwise the parts are joined
    /// into a string.
    public func evaluate(_ resolver: some VariableResolver) throws -> Value {
        let evaluator = Evaluator(resolver: resolver, location: location)
        if isSingleExpression {
            for part in parts { if case .expression(let e) = part { return try evaluator.evaluate(e) } }
        }
        var text = ""
        for part in parts {
            switch part {
            case .text(let t): text += t
            case .expression(let e): text += try evaluator.evaluate(e).description
            }
        }
        return .string(text)
    }
}

/// Evaluates one bare expression (no `{{ }}`).
public enum ExpressionEvaluator {
    public static func evaluate(_ source: String, at location: SourceLocation, resolver: some VariableResolver) throws -> Value {
        let chars = Array(source)
        let tokens = try Lexer.tokenize(chars, from: 0, to: chars.count, at: location)
        return try Evaluator(resolver: resolver, location: location).evaluate(try Parser.parse(tokens, location: location))
    }
}
