import Foundation

/// A YAML file composed into nodes that keep their line and column, for located errors.
public struct YAMLSource: Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Reads `path`; a missing or unreadable file is an `OMS007` error located at `from` when given.
    public static func read(_ path: String, from: SourceLocation? = nil) throws -> YAMLSource {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw InputError(code: "OMS007", exists ? "cannot read '\(path)'" : "file not found: '\(path)'",
                             at: from ?? SourceLocation(file: path, line: 1, column: 1))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(code: "OMS001", "'\(path)' is not UTF-8 text", at: SourceLocation(file: path, line: 1, column: 1))
        }
        return YAMLSource(path: path, text: text)
    }

    /// The document's root node; YAML syntax errors become `OMS001` with the parser's position.
    public func compose() throws -> YAMLNode {
        guard let node = try YAMLComposer(path: path).compose(text) else {
            throw InputError(code: "OMS001", "'\(path)' is empty", at: SourceLocation(file: path, line: 1, column: 1))
        }
        return node
    }

    public func location(_ node: YAMLNode) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: path, line: mark.line, column: mark.column)
    }

    /// Where a scalar's text begins: one column right of the mark for quoted scalars.
    public func contentLocation(_ node: YAMLNode) -> SourceLocation {
        let base = location(node)
        if case .scalar(let scalar) = node, scalar.isQuoted { return base.advanced(by: 1) }
        return base
    }
}

/// Typed reading of YAML nodes with located errors.
public struct NodeReader: Sendable {
    public let source: YAMLSource

    public init(_ source: YAMLSource) { self.source = source }

    /// Key/value pairs of a mapping in file order (the composer has already rejected duplicate keys).
    public func mapping(_ node: YAMLNode, what: @autoclosure () -> String) throws -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else {
            throw InputError(code: "OMS002", "\(what()) must be a mapping, found \(kind(node))", at: source.location(node))
        }
        var pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
        pairs.reserveCapacity(mapping.count)
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw InputError(code: "OMS002", "a key in \(what()) must be a plain name, found \(kind(keyNode))",
                                 at: source.location(keyNode), hint: templateHint(keyNode))
            }
            pairs.append((key.string, keyNode, value))
        }
        return pairs
    }

    public func string(_ node: YAMLNode, what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw InputError(code: "OMS002", "\(what) must be a string, found \(kind(node))", at: source.location(node),
                             hint: templateHint(node))
        }
        return scalar.string
    }

    public func bool(_ node: YAMLNode, what: String) throws -> Bool {
        if case .scalar(let scalar) = node, scalar.isPlain {
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        throw InputError(code: "OMS002", "\(what) must be true or false", at: source.location(node))
    }

    public func int(_ node: YAMLNode, what: String, range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let scalar) = node, scalar.isPlain,
              let value = Int(scalar.string) else {
            throw InputError(code: "OMS002", "\(what) must be an integer, found \(kind(node))", at: source.location(node))
        }
        if let range, !range.contains(value) {
            throw InputError(code: "OMS006", "\(what) is \(value), outside \(range.lowerBound)...\(range.upperBound)",
                             at: source.location(node))
        }
        return value
    }

    public func sequence(_ node: YAMLNode, what: String) throws -> [YAMLNode] {
        guard case .sequence(let seq) = node else {
            throw InputError(code: "OMS002", "\(what) must be a list, found \(kind(node))", at: source.location(node))
        }
        return Array(seq)
    }

    /// Rejects keys not in `known`, suggesting the closest known one.
    public func checkKeys(_ pairs: [(key: String, keyNode: YAMLNode, value: YAMLNode)], known: [String], what: String) throws {
        for pair in pairs where !known.contains(pair.key) {
            let suggestion = Spelling.closest(to: pair.key, in: known)
            throw InputError(code: "OMS003", "unknown key '\(pair.key)' in \(what)", at: source.location(pair.keyNode),
                             hint: suggestion.map { "did you mean '\($0)'?" } ?? "known keys: \(known.joined(separator: ", "))")
        }
    }

    public func kind(_ node: YAMLNode) -> String {
        switch node {
        case .scalar(let s):
            if s.isPlain {
                if Int(s.string) != nil { return "integer \(s.string)" }
                if node.isNull { return "nothing (null)" }
            }
            return "string '\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// An unquoted `key: {{ expr }}` parses as a nested flow mapping; say how to fix it.
    public func templateHint(_ node: YAMLNode) -> String? {
        if case .mapping(let m) = node, let first = m.first, case .mapping = first.key {
            return "a Jinja expression must be quoted: write \"{{ … }}\""
        }
        return nil
    }

    /// True when `node` is the flow-mapping shape an unquoted `{{ … }}` produces.
    public func looksLikeUnquotedTemplate(_ node: YAMLNode) -> Bool { templateHint(node) != nil }
}

/// Closest-name suggestions for misspelled keys.
public enum Spelling {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        let lower = word.lowercased()
        for candidate in candidates {
            let c = candidate.lowercased()
            // A word that extends a known name (`integer` for `int`) counts as a near miss.
            if c.count >= 3 && (lower.hasPrefix(c) || c.hasPrefix(lower) && lower.count >= 3) {
                if best == nil || best!.1 > 1 { best = (candidate, 1) }
                continue
            }
            let d = distance(lower, c)
            if d <= max(2, candidate.count / 3), best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
