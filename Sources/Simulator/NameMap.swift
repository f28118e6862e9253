/// A path component with a code (FNV-1a of its bytes) computed once, when the path is split: walking a
/// path looks up one component per level, and comparing codes first is cheaper than comparing or hashing
/// the text each time.
struct Name: Hashable, Sendable {
    let text: String
    let code: Int

    init(_ text: String) {
        var text = text
        self.init(text: text, code: text.withUTF8 { Name.code(of: $0) })
    }

    init(text: String, code: Int) {
        self.text = text
        self.code = code
    }

    static func code(of bytes: UnsafeBufferPointer<UInt8>) -> Int { Int(truncatingIfNeeded: fnv1a(bytes)) }

    func hash(into hasher: inout Hasher) { hasher.combine(code) }

    static func == (a: Name, b: Name) -> Bool { a.code == b.code && a.text == b.text }
}

/// The entries of one directory by name. Most directories hold a handful of entries, which are found
/// faster by comparing precomputed name codes in order than by hashing; past `indexedFrom` entries a hash
/// index keeps lookups constant-time. Entries live in one array (one allocation per directory), and removal
/// moves the last entry into the gap: order is not kept.
struct NameMap<Value>: Sequence {
    private var entries: [(key: Name, value: Value)] = []
    private var positions: [Name: Int]?
    private static var indexedFrom: Int { 16 }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var keys: [Name] { entries.map(\.key) }

    mutating func reserveCapacity(_ capacity: Int) { entries.reserveCapacity(capacity) }

    func index(forKey name: Name) -> Int? {
        if let positions { return positions[name] }
        for i in entries.indices where entries[i].key == name { return i }
        return nil
    }

    /// The value at a position from `index(forKey:)`, readable and changeable in place.
    subscript(at i: Int) -> Value {
        _read { yield entries[i].value }
        _modify { yield &entries[i].value }
    }

    subscript(name: Name) -> Value? {
        get { index(forKey: name).map { entries[$0].value } }
        set {
            if let i = index(forKey: name) {
                if let newValue { entries[i].value = newValue } else { remove(at: i) }
            } else if let newValue {
                entries.append((name, newValue))
                if positions != nil {
                    positions![name] = entries.count - 1
                } else if entries.count >= Self.indexedFrom {
                    positions = Dictionary(uniqueKeysWithValues: entries.indices.map { (entries[$0].key, $0) })
                }
            }
        }
    }

    private mutating func remove(at i: Int) {
        let last = entries.count - 1
        if positions != nil {
            positions![entries[i].key] = nil
            if i != last { positions![entries[last].key] = i }
        }
        entries.swapAt(i, last)
        entries.removeLast()
    }

    func makeIterator() -> IndexingIterator<[(key: Name, value: Value)]> { entries.makeIterator() }
}
