extension Substring {
    /// Without leading and trailing whitespace (Unicode's definition).
    var trimmingSpaces: String {
        // ASCII whitespace goes byte by byte; Characters are consulted only at a non-ASCII edge.
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        var s = self[first...last]
        if s.utf8.first! >= 0x80 || s.utf8.last! >= 0x80 {
            while s.first?.isWhitespace == true { s.removeFirst() }
            while s.last?.isWhitespace == true { s.removeLast() }
        }
        return String(s)
    }
}
