extension Substring {
    /// Without leading and trailing whitespace (Unicode's definition).
    var trimmingSpaces: String {
        // ASCII whitespace goes byte by byte; Characters are consulted only at a non-ASCII edge.
        guard let first = utf8.firstIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        let last = utf8.lastIndex(where: { !$0.isASCIIWhitespace })!
        var s = self[first...last]
        if s.utf8.first! >= 0x80 || s.utf8.last! >= 0x80 {
            while s.first?.isWhitespace == true { s.removeFirst() }
            while s.last?.isWhitespace == true { s.removeLast() }
        }
        return String(s)
    }
}

extension UInt8 {
    /// Space, tab, newline, vertical tab, form feed or carriage return.
    var isASCIIWhitespace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }
}
