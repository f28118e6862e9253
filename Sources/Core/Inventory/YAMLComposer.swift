import CLibYAML

/// Builds `YAMLNode`s from libyaml's event stream. Nesting is kept on an explicit stack and limited to
/// `maxDepth` levels (`OMS001` beyond), so hostile input cannot exhaust the call stack while the nodes are
/// built or freed. A file holds one document (`OMS001` otherwise); an alias must name an
/// anchor defined before it (`OMS001`); keys within one mapping must differ (`OMS005`).
struct YAMLComposer {
    let path: String
    /// Far deeper than any inventory or scenario; shallow enough for recursive readers and deinitialisers.
    static let maxDepth = 256

    /// The collection being built, with its anchor and, for mappings, a key still waiting for its value.
    private struct Open {
        var mark: YAMLNode.Mark
        var anchor: String?
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [(key: YAMLNode, value: YAMLNode)] = []
        var key: YAMLNode?
    }

    /// The document's root node, or nil when the text holds no document.
    func compose(_ text: String) throws -> YAMLNode? {
        var text = text
        return try text.withUTF8 { bytes in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw InputError(code: "OMS001", "cannot start the YAML parser (out of memory)", at: location(line: 1, column: 1))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            return try run(&parser, bytes)
        }
    }

    private func run(_ parser: inout yaml_parser_t, _ bytes: UnsafeBufferPointer<UInt8>) throws -> YAMLNode? {
        var stack: [Open] = []
        var anchors: [String: YAMLNode] = [:]
        var root: YAMLNode?
        var documents = 0
        var event = yaml_event_t()

        func finish(_ node: YAMLNode, anchor: String?) throws {
            if let anchor { anchors[anchor] = node }
            guard !stack.isEmpty else { root = node; return }
            let top = stack.count - 1
            guard stack[top].isMapping else { stack[top].items.append(node); return }
            guard let key = stack[top].key else { stack[top].key = node; return }
            stack[top].key = nil
            stack[top].pairs.append((key, node))
        }

        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { throw error(parser, bytes) }
            defer { yaml_event_delete(&event) }
            let mark = YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw InputError(code: "OMS001", "invalid YAML: expected a single document, found another one",
                                     at: location(mark))
                }
            case YAML_SCALAR_EVENT:
                let data = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
                try finish(.scalar(.init(string: text, style: Self.style(data.style), mark: mark)),
                           anchor: Self.string(data.anchor))
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw InputError(code: "OMS001", "invalid YAML: alias '*\(name)' names no anchor defined before it",
                                     at: location(mark))
                }
                try finish(node, anchor: nil)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                guard stack.count < Self.maxDepth else {
                    throw InputError(code: "OMS001", "invalid YAML: nested deeper than \(Self.maxDepth) levels", at: location(mark))
                }
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                stack.append(Open(mark: mark, anchor: Self.string(anchor), isMapping: isMapping))
            case YAML_SEQUENCE_END_EVENT:
                let open = stack.removeLast()
                try finish(.sequence(.init(items: open.items, mark: open.mark)), anchor: open.anchor)
            case YAML_MAPPING_END_EVENT:
                let open = stack.removeLast()
                try checkDuplicateKeys(open.pairs)
                try finish(.mapping(.init(pairs: open.pairs, mark: open.mark)), anchor: open.anchor)
            default:
                break  // stream start, document end, no-op events
            }
        }
    }

    /// Scalar keys must be unique within one mapping; the error is at the second one.
    private func checkDuplicateKeys(_ pairs: [(key: YAMLNode, value: YAMLNode)]) throws {
        let keys = pairs.map(\.key.string)  // nil for keys that are collections
        guard let repeated = keys.firstRepeated(ignoring: { $0 == nil }), let key = repeated,
              let first = keys.firstIndex(of: key), let second = keys[(first + 1)...].firstIndex(of: key) else { return }
        throw InputError(code: "OMS005", "duplicate key '\(key)' (first at line \(pairs[first].key.mark.line))",
                         at: location(pairs[second].key.mark))
    }

    private func error(_ parser: yaml_parser_t, _ bytes: UnsafeBufferPointer<UInt8>) -> InputError {
        let problem = Self.string(parser.problem) ?? "unknown error"
        let message = Self.string(parser.context).map { "\(problem) (\($0))" } ?? problem
        let at: SourceLocation
        if parser.error == YAML_READER_ERROR {
            at = location(offset: parser.problem_offset, in: bytes)
        } else {
            at = location(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        }
        return InputError(code: "OMS001", "invalid YAML: \(message)", at: at, hint: Self.columnZeroComment(before: at.line, in: bytes))
    }

    /// A hint for the commonest way an indented block breaks: a `#` line in column 0 between indented
    /// lines ends the block scalar or mapping it appears in, so the indented lines after it no longer fit.
    /// Nil unless such a line is among the ten before the error.
    static func columnZeroComment(before line: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard line >= 2, line - 1 <= lines.count else { return nil }
        let blank = { (l: Slice<UnsafeBufferPointer<UInt8>>) in l.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } }
        let indented = { (l: Slice<UnsafeBufferPointer<UInt8>>) in l.first == UInt8(ascii: " ") && !blank(l) }
        // The nearest non-blank line on each side of `index`.
        func neighbour(_ index: Int, _ step: Int) -> Slice<UnsafeBufferPointer<UInt8>>? {
            var i = index + step
            while i >= 0 && i < lines.count {
                if !blank(lines[i]) { return lines[i] }
                i += step
            }
            return nil
        }
        for index in stride(from: line - 2, through: max(1, line - 11), by: -1) where lines[index].first == UInt8(ascii: "#") {
            guard let above = neighbour(index, -1), indented(above), let below = neighbour(index, 1), indented(below) else { continue }
            return "line \(index + 1) is a comment in column 0 between indented lines: YAML ends the block there; indent the comment like its neighbours"
        }
        return nil
    }

    /// Line and column of a byte offset; columns count characters.
    private func location(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return location(line: line, column: column)
    }

    private func location(_ mark: YAMLNode.Mark) -> SourceLocation { location(line: mark.line, column: mark.column) }
    private func location(line: Int, column: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: column) }

    private static func string(_ text: UnsafePointer<yaml_char_t>?) -> String? {
        text.map { String(cString: $0) }
    }

    private static func string(_ text: UnsafePointer<CChar>?) -> String? {
        text.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
