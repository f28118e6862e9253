extension Substring {
    /// Without leading and trailing whitespace (Unicode's definition).
    var trimmingSpaces: String {
        var s = self
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
