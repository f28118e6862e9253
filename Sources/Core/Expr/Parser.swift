/// Recursive-descent parser for the expression subset, with Jinja's precedence (lowest first):
/// `if/else`, `or`, `and`, `not`, comparisons and `in`/`is`, `~`, `+ -`, `* / // %`, unary `- +`, `**`,
/// then postfix `.attr`, `[index]`, `|filter(args)`.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private let location: SourceLocation

    init(tokens: [Token], location: SourceLocation) {
        self.tokens = tokens
        self.location = location
    }

    static func parse(_ tokens: [Token], location: SourceLocation) throws -> Expression {
        var parser = Parser(tokens: tokens, location: location)
        let expression = try parser.conditional()
        guard case .end = parser.current.kind else {
            throw parser.error("OMS010", "unexpected \(parser.describe(parser.current)) after the expression")
        }
        return expression
    }

    private var current: Token { tokens[position] }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func error(_ code: String, _ message: String, at offset: Int? = nil) -> InputError {
        InputError(code: code, message, at: location.advanced(by: offset ?? current.offset))
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .int(let i): return "number \(i)"
        case .string(let s): return "string '\(s)'"
        case .name(let n): return "'\(n)'"
        case .op(let o): return "'\(o)'"
        case .end: return "end of expression"
        }
    }

    private func isOp(_ op: String) -> Bool { if case .op(op) = current.kind { true } else { false } }
    private func isName(_ name: String) -> Bool { if case .name(name) = current.kind { true } else { false } }

    private mutating func expect(_ op: String) throws {
        guard isOp(op) else { throw error("OMS010", "expected '\(op)', found \(describe(current))") }
        _ = advance()
    }

    mutating func conditional() throws -> Expression {
        let value = try or()
        guard isName("if") else { return value }
        let offset = advance().offset
        let condition = try or()
        var otherwise: Expression?
        if isName("else") {
            _ = advance()
            otherwise = try conditional()
        }
        return .conditional(condition, value, otherwise, offset)
    }

    private mutating func or() throws -> Expression {
        var left = try and()
        while isName("or") { let o = advance().offset; left = .binary("or", left, try and(), o) }
        return left
    }

    private mutating func and() throws -> Expression {
        var left = try not()
        while isName("and") { let o = advance().offset; left = .binary("and", left, try not(), o) }
        return left
    }

    private mutating func not() throws -> Expression {
        if isName("not") { let o = advance().offset; return .unary("not", try not(), o) }
        return try comparison()
    }

    private mutating func comparison() throws -> Expression {
        var left = try concat()
        while true {
            if case .op(let op) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(op) {
                let o = advance().offset
                left = .binary(op, left, try concat(), o)
            } else if isName("in") {
                let o = advance().offset
                left = .binary("in", left, try concat(), o)
            } else if isName("not"), position + 1 < tokens.count, case .name("in") = tokens[position + 1].kind {
                let o = advance().offset
                _ = advance()
                left = .unary("not", .binary("in", left, try concat(), o), o)
            } else if isName("is") {
                let o = advance().offset
                var negated = false
                if isName("not") { _ = advance(); negated = true }
                guard case .name(let test) = current.kind else { throw error("OMS010", "expected a test name after 'is'") }
                guard test == "defined" || test == "undefined" || test == "none" else {
                    throw error("OMS014", "the test '\(test)' is not supported (supported: defined, undefined, none)")
                }
                _ = advance()
                left = .test(left, test, negated, o)
            } else {
                return left
            }
        }
    }

    private mutating func concat() throws -> Expression {
        var left = try additive()
        while isOp("~") { let o = advance().offset; left = .binary("~", left, try additive(), o) }
        return left
    }

    private mutating func additive() throws -> Expression {
        var left = try multiplicative()
        while isOp("+") || isOp("-") {
            let token = advance()
            guard case .op(let op) = token.kind else { break }
            left = .binary(op, left, try multiplicative(), token.offset)
        }
        return left
    }

    private mutating func multiplicative() throws -> Expression {
        var left = try unary()
        while isOp("*") || isOp("//") || isOp("%") || isOp("/") {
            let token = advance()
            guard case .op(let op) = token.kind else { break }
            if op == "/" {
                throw error("OMS014", "'/' divides into a floating-point number, which inventories cannot use", at: token.offset)
                    .withHint("use '//' for integer division")
            }
            left = .binary(op, left, try unary(), token.offset)
        }
        return left
    }

    private mutating func unary() throws -> Expression {
        if isOp("-") || isOp("+") {
            let token = advance()
            guard case .op(let op) = token.kind else { return try power() }
            return .unary(op, try unary(), token.offset)
        }
        return try power()
    }

    private mutating func power() throws -> Expression {
        let base = try postfix()
        if isOp("**") { let o = advance().offset; return .binary("**", base, try unary(), o) }
        return base
    }

    private mutating func postfix() throws -> Expression {
        var value = try primary()
        while true {
            if isOp(".") {
                let o = advance().offset
                switch current.kind {
                case .name(let n): _ = advance(); value = .attribute(value, n, o)
                case .int(let i): _ = advance(); value = .index(value, .literal(.int(i), o), o)
                default: throw error("OMS010", "expected an attribute name after '.'")
                }
            } else if isOp("[") {
                let o = advance().offset
                let key = try conditional()
                try expect("]")
                value = .index(value, key, o)
            } else if isOp("|") {
                let o = advance().offset
                guard case .name(let name) = current.kind else { throw error("OMS010", "expected a filter name after '|'") }
                _ = advance()
                var args: [Expression] = []
                if isOp("(") {
                    _ = advance()
                    while !isOp(")") {
                        args.append(try conditional())
                        if isOp(",") { _ = advance() } else { break }
                    }
                    try expect(")")
                }
                value = .filter(value, name, args, o)
            } else if isOp("(") {
                throw error("OMS014", "calling functions is not supported")
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws -> Expression {
        let token = current
        switch token.kind {
        case .int(let i): _ = advance(); return .literal(.int(i), token.offset)
        case .string(let s): _ = advance(); return .literal(.string(s), token.offset)
        case .name(let n):
            _ = advance()
            switch n {
            case "true", "True": return .literal(.bool(true), token.offset)
            case "false", "False": return .literal(.bool(false), token.offset)
            case "none", "None": return .literal(.none, token.offset)
            default: return .variable(n, token.offset)
            }
        case .op("("):
            _ = advance()
            let inner = try conditional()
            try expect(")")
            return inner
        case .op("["):
            _ = advance()
            var items: [Expression] = []
            while !isOp("]") {
                items.append(try conditional())
                if isOp(",") { _ = advance() } else { break }
            }
            try expect("]")
            return .list(items, token.offset)
        case .op("{"):
            throw error("OMS014", "dictionary literals are not supported")
        case .end:
            throw error("OMS010", "expected an expression, found the end")
        case .op(let o):
            throw error("OMS010", "unexpected '\(o)'")
        }
    }
}

extension InputError {
    func withHint(_ hint: String) -> InputError {
        var copy = self
        copy.diagnostics[0].hint = hint
        return copy
    }
}
