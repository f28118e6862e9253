import Foundation
import Yams

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
    public func compose() throws -> Node {
        do {
            // The basic resolver tags every scalar as a string: readers here interpret scalars themselves, and
            // Yams' default resolver matches regular expressions per scalar, most of the load time of large
            // inventories.
            guard let node = try Yams.compose(yaml: text, .basic, .default, .utf8) else {
                throw InputError(code: "OMS001", "'\(path)' is empty", at: SourceLocation(file: path, line: 1, column: 1))
            }
            return node
        } catch let error as YamlError {
            throw InputError(code: "OMS001", "invalid YAML: \(Self.describe(error))", at: Self.location(of: error, file: path))
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(code: "OMS001", "invalid YAML: \(error)", at: SourceLocation(file: path, line: 1, column: 1))
        }
    }

    public func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: path, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Where a scalar's text begins: one column right of the mark for quoted scalars.
    public func contentLocation(_ node: Node) -> SourceLocation {
        let base = location(node)
        if case .scalar(let scalar) = node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            return base.advanced(by: 1)
        }
        return base
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .reader(let problem, _, _, _): return problem
        case .duplicatedKeysInMapping(let duplicates, _): return "duplicate keys: \(duplicates.joined(separator: ", "))"
        default: return "\(error)"
        }
    }

    private static func location(of error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }
}

/// Typed reading of YAML nodes with located errors.
public struct NodeReader: Sendable {
    public let source: YAMLSource

    public init(_ source: YAMLSource) { self.source = source }

    /// Key/value pairs of a mapping in file order; duplicate keys are `OMS005` errors.
    public func mapping(_ node: Node, what: @autoclosure () -> String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            throw InputError(code: "OMS002", "\(what()) must be a mapping, found \(kind(node))", at: source.location(node))
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        pairs.reserveCapacity(mapping.count)
        // Small mappings (a host's fields) are checked for duplicates pairwise; large ones through an index.
        var seen: [String: Int] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw InputError(code: "OMS002", "a key in \(what()) must be a plain name, found \(kind(keyNode))",
                                 at: source.location(keyNode), hint: templateHint(keyNode))
            }
            let earlier = mapping.count <= 16 ? pairs.firstIndex { $0.key == key.string } : seen[key.string]
            if let earlier {
                throw InputError(code: "OMS005", "duplicate key '\(key.string)' in \(what()) (first at line \(source.location(pairs[earlier].keyNode).line))",
                                 at: source.location(keyNode))
            }
            if mapping.count > 16 { seen[key.string] = pairs.count }
            pairs.append((key.string, keyNode, value))
        }
        return pairs
    }

    public func string(_ node: Node, what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw InputError(code: "OMS002", "\(what) must be a string, found \(kind(node))", at: source.location(node),
                             hint: templateHint(node))
        }
        return scalar.string
    }

    public func bool(_ node: Node, what: String) throws -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            switch scalar.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        throw InputError(code: "OMS002", "\(what) must be true or false", at: source.location(node))
    }

    public func int(_ node: Node, what: String, range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              let value = Int(scalar.string) else {
            throw InputError(code: "OMS002", "\(what) must be an integer, found \(kind(node))", at: source.location(node))
        }
        if let range, !range.contains(value) {
            throw InputError(code: "OMS006", "\(what) is \(value), outside \(range.lowerBound)...\(range.upperBound)",
                             at: source.location(node))
        }
        return value
    }

    public func sequence(_ node: Node, what: String) throws -> [Node] {
        guard case .sequence(let seq) = node else {
            throw InputError(code: "OMS002", "\(what) must be a list, found \(kind(node))", at: source.location(node))
        }
        return Array(seq)
    }

    /// Rejects keys not in `known`, suggesting the closest known one.
    public func checkKeys(_ pairs: [(key: String, keyNode: Node, value: Node)], known: [String], what: String) throws {
        for pair in pairs where !known.contains(pair.key) {
            let suggestion = Spelling.closest(to: pair.key, in: known)
            throw InputError(code: "OMS003", "unknown key '\(pair.key)' in \(what)", at: source.location(pair.keyNode),
                             hint: suggestion.map { "did you mean '\($0)'?" } ?? "known keys: \(known.joined(separator: ", "))")
        }
    }

    public func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s):
            if s.style == .plain || s.style == .any {
                if Int(s.string) != nil { return "integer \(s.string)" }
                if s.string.isEmpty || s.string == "~" || s.string == "null" { return "nothing (null)" }
            }
            return "string '\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// An unquoted `key: {{ expr }}` parses as a nested flow mapping; say how to fix it.
    public func templateHint(_ node: Node) -> String? {
        if case .mapping(let m) = node, let first = m.first, case .mapping = first.key {
            return "a Jinja expression must be quoted: write \"{{ … }}\""
        }
        return nil
    }

    /// True when `node` is the flow-mapping shape an unquoted `{{ … }}` produces.
    public func looksLikeUnquotedTemplate(_ node: Node) -> Bool { templateHint(node) != nil }
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
