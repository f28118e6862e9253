/// The expression tree. Each node keeps the offset of its first character for located errors.
indirect enum Expression: Sendable {
    case literal(Value, Int)
    case variable(String, Int)
    case attribute(Expression, String, Int)
    case index(Expression, Expression, Int)
    case unary(String, Expression, Int)
    case binary(String, Expression, Expression, Int)
    case list([Expression], Int)
    case filter(Expression, String, [Expression], Int)
    /// `x is defined` / `x is not defined`.
    case test(Expression, String, Bool, Int)
    case conditional(Expression, Expression, Expression?, Int)

    var offset: Int {
        switch self {
        case .literal(_, let o), .variable(_, let o), .attribute(_, _, let o), .index(_, _, let o), .unary(_, _, let o),
             .binary(_, _, _, let o), .list(_, let o), .filter(_, _, _, let o), .test(_, _, _, let o), .conditional(_, _, _, let o):
            return o
        }
    }

    /// Top-level variables the expression reads, in first-use order.
    func collectVariables(into names: inout [String]) {
        switch self {
        case .literal: break
        case .variable(let n, _): if !names.contains(n) { names.append(n) }
        case .attribute(let e, _, _), .unary(_, let e, _), .test(let e, _, _, _): e.collectVariables(into: &names)
        case .index(let a, let b, _), .binary(_, let a, let b, _):
            a.collectVariables(into: &names); b.collectVariables(into: &names)
        case .list(let items, _): items.forEach { $0.collectVariables(into: &names) }
        case .filter(let e, _, let args, _): e.collectVariables(into: &names); args.forEach { $0.collectVariables(into: &names) }
        case .conditional(let a, let b, let c, _):
            a.collectVariables(into: &names); b.collectVariables(into: &names); c?.collectVariables(into: &names)
        }
    }
}
