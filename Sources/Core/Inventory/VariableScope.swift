
/// A variable as written in the inventory: its node and the file it is in.
struct VariableNode {
    var node: YAMLNode
    var reader: NodeReader
    /// The value, when the node holds no template: it is the same for every host that sees it.
    var literal: Value?

    /// `shared` definitions (group and global vars) are read by many hosts, so a template-free value is
    /// computed once here instead of once per host.
    init(node: YAMLNode, reader: NodeReader, shared: Bool = false) {
        self.node = node
        self.reader = reader
        self.literal = shared ? VariableScope.literal(node, reader: reader) : nil
    }
}

/// Resolves variables for one host the way Ansible layers them: host vars over group vars over `all.vars`,
/// plus `inventory_hostname`, `group_names` and `groups`. Templates are evaluated on first use and cached;
/// a variable that refers back to itself is an error.
final class VariableScope: VariableResolver {
    private let layers: [[String: VariableNode]]
    private let magic: [String: Value]
    private var cache: [String: Value] = [:]
    private var resolving: [String] = []
    private let templates: TemplateCache

    init(layers: [[String: VariableNode]], magic: [String: Value], templates: TemplateCache) {
        self.layers = layers
        self.magic = magic
        self.templates = templates
        cache.reserveCapacity(16)
    }

    /// Where `name` is defined for this host, if anywhere.
    func definition(of name: String) -> VariableNode? {
        for layer in layers { if let found = layer[name] { return found } }
        return nil
    }

    func resolve(_ name: String, at location: SourceLocation) throws -> Value? {
        if let cached = cache[name] { return cached }
        if let value = magic[name] { return value }
        guard let definition = definition(of: name) else { return nil }
        if let literal = definition.literal { return literal }
        if resolving.contains(name) {
            throw InputError(code: "OMS011", "variable '\(name)' refers to itself (\((resolving + [name]).joined(separator: " → ")))",
                             at: location)
        }
        resolving.append(name)
        defer { resolving.removeLast() }
        let value = try evaluate(definition.node, reader: definition.reader)
        cache[name] = value
        return value
    }

    /// The value of a variable, evaluated; throws when undefined.
    func value(of name: String, at location: SourceLocation) throws -> Value {
        guard let value = try resolve(name, at: location) else {
            throw InputError(code: "OMS011", "'\(name)' is undefined", at: location)
        }
        return value
    }

    /// The value of a node without templates or unquoted-template mappings; nil otherwise (those
    /// are evaluated, or rejected, per host).
    static func literal(_ node: YAMLNode, reader: NodeReader) -> Value? {
        switch node {
        case .scalar(let scalar):
            if scalar.isPlain, let value = plainValue(scalar.string) { return value }
            return Template.mayContainJinja(scalar.string) ? nil : .string(scalar.string)
        case .mapping:
            guard !reader.looksLikeUnquotedTemplate(node), let pairs = try? reader.mapping(node, what: "a variable") else { return nil }
            var result: [String: Value] = [:]
            for pair in pairs {
                guard let value = literal(pair.value, reader: reader) else { return nil }
                result[pair.key] = value
            }
            return .map(result)
        case .sequence(let seq):
            var result: [Value] = []
            for item in seq {
                guard let value = literal(item, reader: reader) else { return nil }
                result.append(value)
            }
            return .list(result)
        }
    }

    /// What YAML makes of a plain scalar that is an integer, a boolean or null; nil for other text.
    static func plainValue(_ text: String) -> Value? {
        if let int = Int(text) { return .int(int) }
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "on": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "off": return .bool(false)
        case "", "~", "null", "Null", "NULL": return Value.none
        default: return nil
        }
    }

    /// Converts a node to a value: plain scalars by YAML's rules, strings with `{{` as templates, and
    /// mappings and lists element by element.
    func evaluate(_ node: YAMLNode, reader: NodeReader) throws -> Value {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            if scalar.isPlain, let value = Self.plainValue(text) { return value }
            guard Template.mayContainJinja(text) else { return .string(text) }
            let template = try templates.template(text, at: reader.source.contentLocation(node))
            return try template.evaluate(self)
        case .mapping:
            if reader.looksLikeUnquotedTemplate(node) {
                throw InputError(code: "OMS008", "an unquoted Jinja expression is read by YAML as a mapping",
                                 at: reader.source.location(node), hint: "quote it: \"{{ … }}\"")
            }
            var result: [String: Value] = [:]
            for pair in try reader.mapping(node, what: "a variable") {
                result[pair.key] = try evaluate(pair.value, reader: reader)
            }
            return .map(result)
        case .sequence(let seq):
            return .list(try seq.map { try evaluate($0, reader: reader) })
        }
    }
}

/// Parsed templates shared by all hosts, keyed by their text and position.
final class TemplateCache {
    /// By text: hosts repeat the same templates; a hit is moved to the caller's location.
    private var parsed: [String: Template] = [:]

    func template(_ text: String, at location: SourceLocation) throws -> Template {
        if let found = parsed[text] { return found.moved(to: location) }
        let template = try Template.parse(text, at: location)
        parsed[text] = template
        return template
    }
}
