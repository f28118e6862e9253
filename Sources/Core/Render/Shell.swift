/// Shell quoting for every value that enters a rendered command.
public enum Shell {
    /// `value` as one POSIX shell word: unchanged when it holds only safe characters, otherwise in single
    /// quotes with embedded single quotes escaped.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty && value.unicodeScalars.allSatisfy(isSafe) { return value }
        return "'" + value.replacingAll("'", with: "'\\''") + "'"
    }

    /// `-e NAME=value` for docker, with the value quoted.
    public static func env(_ name: String, _ value: String) -> String { "-e " + quote("\(name)=\(value)") }

    private static func isSafe(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/", ":", "=", ",", "@", "%", "+": return true
        default: return false
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(target) { return start..<index(start, offsetBy: target.count) }
            start = index(after: start)
        }
        return nil
    }
}
