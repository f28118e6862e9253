/// Tokens of the Jinja expression subset.
enum TokenKind: Equatable {
    case int(Int)
    case string(String)
    case name(String)
    case op(String)
    case end
}

struct Token {
    var kind: TokenKind
    /// Offset of the token's first character within the template text.
    var offset: Int
}

/// Splits one `{{ … }}` body into tokens. Offsets are relative to the whole template text.
struct Lexer {
    static let operators = ["//", "==", "!=", "<=", ">=", "**", "+", "-", "*", "/", "%", "~", "(", ")", "[", "]", ".", ",",
                            "|", "<", ">", ":", "{", "}"]

    static func tokenize(_ chars: [Character], from start: Int, to end: Int, at location: SourceLocation) throws -> [Token] {
        var tokens: [Token] = []
        var i = start
        func error(_ code: String, _ message: String, _ at: Int) -> InputError {
            InputError(code: code, message, at: location.advanced(by: at))
        }
        while i < end {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isASCII && c.isNumber {
                var j = i
                while j < end, chars[j].isASCII, chars[j].isNumber { j += 1 }
                if j < end, chars[j] == ".", j + 1 < end, chars[j + 1].isNumber {
                    throw error("OMS014", "floating-point numbers are not supported", i)
                }
                guard let value = Int(String(chars[i..<j])) else { throw error("OMS012", "integer \(String(chars[i..<j])) is too large", i) }
                tokens.append(Token(kind: .int(value), offset: i))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var j = i
                while j < end, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(Token(kind: .name(String(chars[i..<j])), offset: i))
                i = j
                continue
            }
            if c == "'" || c == "\"" {
                var j = i + 1
                var text = ""
                while j < end, chars[j] != c {
                    if chars[j] == "\\", j + 1 < end {
                        let next = chars[j + 1]
                        text.append(next == "n" ? "\n" : next == "t" ? "\t" : next)
                        j += 2
                    } else {
                        text.append(chars[j])
                        j += 1
                    }
                }
                guard j < end else { throw error("OMS010", "unterminated string", i) }
                tokens.append(Token(kind: .string(text), offset: i))
                i = j + 1
                continue
            }
            guard let op = operators.first(where: { matches($0, chars, i, end) }) else {
                throw error("OMS010", "unexpected character '\(c)'", i)
            }
            tokens.append(Token(kind: .op(op), offset: i))
            i += op.count
        }
        tokens.append(Token(kind: .end, offset: end))
        return tokens
    }

    private static func matches(_ op: String, _ chars: [Character], _ i: Int, _ end: Int) -> Bool {
        var k = i
        for ch in op {
            guard k < end, chars[k] == ch else { return false }
            k += 1
        }
        return true
    }
}
