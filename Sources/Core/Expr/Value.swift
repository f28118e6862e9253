/// A value of an inventory variable or an evaluated expression.
public indirect enum Value: Sendable, Hashable, CustomStringConvertible {
    case none
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([Value])
    case map([String: Value])

    /// How Jinja prints the value when it is interpolated into a string.
    public var description: String {
        switch self {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.pythonLiteral).joined(separator: ", ") + "]"
        case .map(let dict):
            return "{" + dict.keys.sorted().map { "'\($0)': \(dict[$0]!.pythonLiteral)" }.joined(separator: ", ") + "}"
        }
    }

    /// The value as Python's repr would print it inside a container.
    public var pythonLiteral: String {
        if case .string(let s) = self { return "'" + s + "'" }
        return description
    }

    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "boolean"
        case .int: return "integer"
        case .string: return "string"
        case .list: return "list"
        case .map: return "mapping"
        }
    }
}
