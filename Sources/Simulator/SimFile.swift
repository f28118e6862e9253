import Core
import class Foundation.NSLock

/// A file in the model: its text and permission bits. A file written as a JSON document (the ranktables)
/// keeps the document and prints its text only when first read as text; copies of the file share that
/// text. Readers that understand JSON take the document as it is.
public struct SimFile: Sendable, Hashable {
    /// A document and, once printed, its text.
    private final class Printed: @unchecked Sendable {
        let document: JSONValue
        private let lock = NSLock()
        private var cached: String?

        init(_ document: JSONValue) { self.document = document }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            if let cached { return cached }
            let text = document.printed()
            cached = text
            return text
        }
    }

    private let text: String?
    private let printed: Printed?
    public var mode: Int

    public init(content: String, mode: Int) {
        self.text = content
        self.printed = nil
        self.mode = mode
    }

    /// The file `json.dump(document, f, indent=4)` writes: no newline after the closing brace.
    public init(document: JSONValue, mode: Int) {
        self.text = nil
        self.printed = Printed(document)
        self.mode = mode
    }

    public var content: String { text ?? printed!.text }

    /// The document the file was written with, if it was written as one.
    public var document: JSONValue? { printed?.document }

    /// The file's JSON document: the one it was written with, else its text parsed.
    public func json() throws -> JSONValue { try printed?.document ?? JSONValue.parse(content) }

    public static func == (a: SimFile, b: SimFile) -> Bool {
        a.mode == b.mode && (a.printed != nil && a.printed === b.printed || a.content == b.content)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
        hasher.combine(mode)
    }
}
