/// Supplies the values of top-level variables.
public protocol VariableResolver {
    /// The value of a top-level variable, or nil when undefined. May throw (e.g. its own template fails).
    func resolve(_ name: String, at location: SourceLocation) throws -> Value?
}

/// Evaluates expression trees with Python's integer semantics and Jinja's filters, failing loudly
/// wherever Jinja would silently produce a wrong value.
struct Evaluator<R: VariableResolver> {
    let resolver: R
    let location: SourceLocation

    static var filters: [String] { ["int", "string", "default", "d", "length", "count", "lower", "upper", "trim"] }

    private func error(_ code: String, _ message: String, _ offset: Int, hint: String? = nil) -> InputError {
        InputError(code: code, message, at: location.advanced(by: offset), hint: hint)
    }

    func evaluate(_ e: Expression) throws -> Value {
        if let value = try lookup(e) { return value }
        // Only variable, attribute and index lookups can be undefined.
        switch e {
        case .variable(let name, let o):
            throw error("OMS011", "'\(name)' is undefined", o)
        case .attribute(let base, let name, let o):
            throw error("OMS011", "\(describe(try evaluate(base))) has no attribute '\(name)'", o,
                        hint: keysHint(try evaluate(base)))
        case .index(let base, let key, let o):
            throw error("OMS011", "\(describe(try evaluate(base))) has no item \(try evaluate(key).pythonLiteral)", o,
                        hint: keysHint(try evaluate(base)))
        default:
            throw error("OMS011", "undefined value", e.offset)
        }
    }

    private func describe(_ v: Value) -> String {
        switch v {
        case .map: return "the mapping"
        case .list(let l): return "the list of \(l.count)"
        default: return "\(v.typeName) \(v.pythonLiteral)"
        }
    }

    private func keysHint(_ v: Value) -> String? {
        if case .map(let m) = v { return "it has: " + m.keys.sorted().prefix(8).joined(separator: ", ") }
        return nil
    }

    /// The expression's value, or nil when it names something undefined.
    func lookup(_ e: Expression) throws -> Value? {
        switch e {
        case .variable(let name, let o):
            return try resolver.resolve(name, at: location.advanced(by: o))
        case .attribute(let baseExpr, let name, _):
            guard let base = try lookup(baseExpr) else { return nil }
            if case .map(let m) = base { return m[name] }
            return nil
        case .index(let baseExpr, let keyExpr, let o):
            guard let base = try lookup(baseExpr) else { return nil }
            let key = try evaluate(keyExpr)
            switch (base, key) {
            case (.map(let m), .string(let k)): return m[k]
            case (.map(let m), .int(let i)): return m[String(i)]
            case (.list(let l), .int(let i)):
                let index = i < 0 ? l.count + i : i
                return l.indices.contains(index) ? l[index] : nil
            case (.string(let s), .int(let i)):
                let chars = Array(s)
                let index = i < 0 ? chars.count + i : i
                return chars.indices.contains(index) ? .string(String(chars[index])) : nil
            default:
                throw error("OMS013", "cannot index \(base.typeName) with \(key.typeName)", o)
            }
        default:
            return try compute(e)
        }
    }

    private func compute(_ e: Expression) throws -> Value {
        switch e {
        case .literal(let v, _): return v
        case .list(let items, _): return .list(try items.map(evaluate))
        case .unary(let op, let inner, let o):
            let v = try evaluate(inner)
            switch (op, v) {
            case ("not", _): return .bool(!truthy(v))
            case ("-", .int(let i)):
                let (r, overflow) = Int(0).subtractingReportingOverflow(i)
                if overflow { throw error("OMS012", "integer overflow", o) }
                return .int(r)
            case ("+", .int): return v
            default: throw error("OMS013", "unary '\(op)' needs an integer, found \(v.typeName)", o)
            }
        case .binary(let op, let a, let b, let o):
            if op == "and" { let l = try evaluate(a); return truthy(l) ? try evaluate(b) : l }
            if op == "or" { let l = try evaluate(a); return truthy(l) ? l : try evaluate(b) }
            return try binary(op, try evaluate(a), try evaluate(b), o)
        case .filter(let inner, let name, let args, let o):
            return try filter(name, inner, args, o)
        case .test(let inner, let name, let negated, _):
            let result: Bool
            switch name {
            case "defined": result = try lookup(inner) != nil
            case "undefined": result = try lookup(inner) == nil
            default: result = try evaluate(inner) == .none
            }
            return .bool(result != negated)
        case .conditional(let condition, let value, let otherwise, _):
            if truthy(try evaluate(condition)) { return try evaluate(value) }
            return try otherwise.map(evaluate) ?? .string("")
        case .variable, .attribute, .index:
            return try evaluate(e)
        }
    }

    private func truthy(_ v: Value) -> Bool {
        switch v {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        }
    }

    private func binary(_ op: String, _ l: Value, _ r: Value, _ o: Int) throws -> Value {
        switch op {
        case "~": return .string(l.description + r.description)
        case "==": return .bool(l == r)
        case "!=": return .bool(l != r)
        case "in":
            switch r {
            case .list(let items): return .bool(items.contains(l))
            case .map(let m): if case .string(let k) = l { return .bool(m[k] != nil) }
            case .string(let s): if case .string(let sub) = l { return .bool(s.contains(sub)) }
            default: break
            }
            throw error("OMS013", "'in' cannot test \(l.typeName) in \(r.typeName)", o)
        default: break
        }
        if case .int(let a) = l, case .int(let b) = r {
            func checked(_ result: (Int, Bool)) throws -> Value {
                if result.1 { throw error("OMS012", "integer overflow in '\(op)'", o) }
                return .int(result.0)
            }
            switch op {
            case "+": return try checked(a.addingReportingOverflow(b))
            case "-": return try checked(a.subtractingReportingOverflow(b))
            case "*": return try checked(a.multipliedReportingOverflow(by: b))
            case "//", "%":
                if b == 0 { throw error("OMS012", "\(op == "//" ? "integer division" : "modulo") by zero", o) }
                if a == Int.min && b == -1 { throw error("OMS012", "integer overflow in '\(op)'", o) }
                var q = a / b, m = a % b
                if m != 0 && ((m < 0) != (b < 0)) { q -= 1; m += b }
                return .int(op == "//" ? q : m)
            case "**":
                if b < 0 { throw error("OMS014", "negative exponents give floating-point numbers", o) }
                var result = 1
                for _ in 0..<b {
                    let (r, overflow) = result.multipliedReportingOverflow(by: a)
                    if overflow { throw error("OMS012", "integer overflow in '**'", o) }
                    result = r
                }
                return .int(result)
            case "<": return .bool(a < b)
            case "<=": return .bool(a <= b)
            case ">": return .bool(a > b)
            case ">=": return .bool(a >= b)
            default: break
            }
        }
        if case .string(let a) = l, case .string(let b) = r {
            switch op {
            case "+": return .string(a + b)
            case "<": return .bool(a < b)
            case "<=": return .bool(a <= b)
            case ">": return .bool(a > b)
            case ">=": return .bool(a >= b)
            default: break
            }
        }
        if op == "+", case .list(let a) = l, case .list(let b) = r { return .list(a + b) }
        if op == "*", case .string(let s) = l, case .int(let n) = r, n >= 0, n <= 10_000 {
            return .string(String(repeating: s, count: n))
        }
        throw error("OMS013", "'\(op)' cannot combine \(l.typeName) \(l.pythonLiteral) and \(r.typeName) \(r.pythonLiteral)", o,
                    hint: op == "+" && (l.typeName == "string" || r.typeName == "string") ? "convert with '| int', or join text with '~'" : nil)
    }

    private func filter(_ name: String, _ inner: Expression, _ args: [Expression], _ o: Int) throws -> Value {
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(args.count) else {
                throw error("OMS013", "filter '\(name)' takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument(s), got \(args.count)", o)
            }
        }
        switch name {
        case "default", "d":
            try arity(1...2)
            let fallback = try evaluate(args[0])
            guard let value = try lookup(inner) else { return fallback }
            if args.count == 2, truthy(try evaluate(args[1])), !truthy(value) { return fallback }
            return value
        case "int":
            try arity(0...1)
            let value = try evaluate(inner)
            switch value {
            case .int: return value
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s):
                let trimmed = s.trimmingSpaces
                if let i = Int(trimmed) { return .int(i) }
                if let d = args.first { return try evaluate(d) }
                throw error("OMS013", "'\(s)' is not an integer (Jinja would silently give 0)", o, hint: "fix the value, or give a fallback: | int(0)")
            default:
                if let d = args.first { return try evaluate(d) }
                throw error("OMS013", "cannot convert \(value.typeName) to an integer", o)
            }
        case "string":
            try arity(0...0)
            return .string(try evaluate(inner).description)
        case "length", "count":
            try arity(0...0)
            switch try evaluate(inner) {
            case .string(let s): return .int(s.count)
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.count)
            case let v: throw error("OMS013", "\(v.typeName) has no length", o)
            }
        case "lower", "upper", "trim":
            try arity(0...0)
            guard case .string(let s) = try evaluate(inner) else { throw error("OMS013", "'\(name)' needs a string", o) }
            return .string(name == "lower" ? s.lowercased() : name == "upper" ? s.uppercased() : s.trimmingSpaces)
        default:
            throw error("OMS014", "unknown filter '\(name)'", o,
                        hint: Spelling.closest(to: name, in: Self.filters).map { "did you mean '\($0)'?" }
                            ?? "supported: \(Self.filters.joined(separator: ", "))")
        }
    }
}

extension String {
    var trimmingSpaces: String { self[...].trimmingSpaces }
}
