public enum Severity: String, Sendable, Codable, Comparable {
    case warning
    case error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One problem found in a user's input, with where it is and how to fix it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    public var hint: String?

    public init(code: String, severity: Severity = .error, message: String,
                location: SourceLocation? = nil, hint: String? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// `file:line:col: code: message (hint)`; the location is omitted when unknown.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity == .error ? "error" : "warning"): \(code): \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Input that cannot be used at all: loading stops and reports every problem found so far.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public init(code: String, _ message: String, at location: SourceLocation?, hint: String? = nil) {
        self.diagnostics = [Diagnostic(code: code, message: message, location: location, hint: hint)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
