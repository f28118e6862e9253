import Core

/// A file in the model: its text and permission bits. A file written as a JSON document (the ranktables)
/// keeps the document, which readers that understand JSON take as it is, and prints its text each time it
/// is read as text: the text of every ranktable of a large cluster is larger than its documents, and is
/// read as text only to be written out or fingerprinted. Copies of the file share the document.
public struct SimFile: Sendable, Hashable {
    private final class Document: Sendable {
        let value: JSONValue
        init(_ value: JSONValue) { self.value = value }
    }

    private let text: String?
    private let written: Document?
    public var mode: Int

    public init(content: String, mode: Int) {
        self.text = content
        self.written = nil
        self.mode = mode
    }

    /// The file `json.dump(document, f, indent=4)` writes: no newline after the closing brace.
    public init(document: JSONValue, mode: Int) {
        self.text = nil
        self.written = Document(document)
        self.mode = mode
    }

    public var content: String { text ?? written!.value.printed() }

    /// Calls `body` with the file's bytes, printing a document without making a `String` of it (the
    /// global ranktable of a large cluster is megabytes).
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if var text {
            return try text.withUTF8(body)
        }
        return try written!.value.printedBytes().withUnsafeBufferPointer(body)
    }

    /// The document the file was written with, if it was written as one.
    public var document: JSONValue? { written?.value }

    /// The file's JSON document: the one it was written with, else its text parsed.
    public func json() throws -> JSONValue { try written?.value ?? JSONValue.parse(content) }

    public static func == (a: SimFile, b: SimFile) -> Bool {
        guard a.mode == b.mode else { return false }
        switch (a.written, b.written) {
        case let (x?, y?): return x === y || x.value == y.value
        default: return a.content == b.content
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
        hasher.combine(mode)
    }
}
