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
/// index keeps lookups constant-time. Removal moves the last entry into the gap: order is not kept.
struct NameMap<Value>: Sequence {
    private(set) var keys: [Name] = []
    /// Values at the positions of `keys`; a value may be changed in place through `index(forKey:)`.
    var values: [Value] = []
    private var positions: [Name: Int]?
    private static var indexedFrom: Int { 16 }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    mutating func reserveCapacity(_ capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    func index(forKey name: Name) -> Int? {
        if let positions { return positions[name] }
        for i in keys.indices where keys[i] == name { return i }
        return nil
    }

    subscript(name: Name) -> Value? {
        get { index(forKey: name).map { values[$0] } }
        set {
            if let i = index(forKey: name) {
                if let newValue { values[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                keys.append(name)
                values.append(newValue)
                if positions != nil {
                    positions![name] = keys.count - 1
                } else if keys.count >= Self.indexedFrom {
                    positions = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
                }
            }
        }
    }

    private mutating func remove(at i: Int) {
        let last = keys.count - 1
        if positions != nil {
            positions![keys[i]] = nil
            if i != last { positions![keys[last]] = i }
        }
        keys.swapAt(i, last)
        values.swapAt(i, last)
        keys.removeLast()
        values.removeLast()
    }

    func makeIterator() -> Zip2Sequence<[Name], [Value]>.Iterator { zip(keys, values).makeIterator() }
}
