/// A composed YAML node: a scalar's text, a mapping's pairs in file order, or a sequence's items, each with
/// where it starts. Aliases are resolved to the node their anchor names; tags are not kept, since the readers
/// interpret every scalar's text themselves.
public enum YAMLNode: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Sequence)

    /// Line and column (from 1) where a node starts; columns count characters, as libyaml does.
    public struct Mark: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    public enum ScalarStyle: Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public struct Scalar: Sendable {
        public var string: String
        public var style: ScalarStyle
        public var mark: Mark

        /// Plain scalars are the ones YAML reads as integers, booleans or null.
        public var isPlain: Bool { style == .plain }
        public var isQuoted: Bool { style == .singleQuoted || style == .doubleQuoted }
    }

    public struct Mapping: Sendable, RandomAccessCollection {
        public var pairs: [(key: YAMLNode, value: YAMLNode)]
        public var mark: Mark

        public var startIndex: Int { pairs.startIndex }
        public var endIndex: Int { pairs.endIndex }
        public subscript(position: Int) -> (key: YAMLNode, value: YAMLNode) { pairs[position] }
    }

    public struct Sequence: Sendable, RandomAccessCollection {
        public var items: [YAMLNode]
        public var mark: Mark

        public var startIndex: Int { items.startIndex }
        public var endIndex: Int { items.endIndex }
        public subscript(position: Int) -> YAMLNode { items[position] }
    }

    public var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .mapping(let mapping): mapping.mark
        case .sequence(let sequence): sequence.mark
        }
    }

    /// A scalar's text; nil for collections.
    public var string: String? {
        if case .scalar(let s) = self { s.string } else { nil }
    }

    /// True for an empty scalar or `~`/`null`: a key written with nothing after it.
    public var isNull: Bool {
        guard let text = string else { return false }
        return text.isEmpty || text == "~" || text == "null"
    }
}
