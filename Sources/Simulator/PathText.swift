/// Absolute-path helpers on UTF-8 bytes: the model splits paths far too often for Character-based
/// string walking.
enum PathText {
    static let slash = UInt8(ascii: "/")

    /// `/a/b/c` → `/a/b`; `/a` → `/`; nil for `/` and paths without a slash.
    static func parent(of path: Substring) -> Substring? {
        guard path.utf8.count > 1, let slash = path.utf8.lastIndex(of: slash) else { return nil }
        return slash == path.startIndex ? "/" : path[..<slash]
    }

    /// `/x/y`, with no trailing slash and no empty component.
    static func isNormalAbsolute(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == slash && previous == slash { return false }
            previous = byte
        }
        return path.utf8.first == slash && (previous != slash || path.utf8.count == 1)
    }

    /// The directory without a trailing slash (`/` stays `/`).
    static func trimmed(_ directory: String) -> String {
        directory.utf8.count > 1 && directory.utf8.last == slash ? String(directory.dropLast()) : directory
    }

    /// True when `path` lies strictly below `directory` (`/a/b` is inside `/a`, `/ab` is not).
    static func isInside(_ path: String, _ directory: String) -> Bool {
        let count = directory.utf8.count
        guard path.utf8.count > count + 1, path.hasPrefix(directory) else { return false }
        return path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: count)] == slash
    }
}
