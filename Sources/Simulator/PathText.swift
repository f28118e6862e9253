/// Absolute-path helpers on UTF-8 bytes: the model splits paths far too often for Character-based
/// string walking.
enum PathText {
    static let slash = UInt8(ascii: "/")

    /// `/a/b/c` → `/a/b`; `/a` → `/`; nil for `/` and paths without a slash.
    static func parent(of path: Substring) -> Substring? {
        guard path.utf8.count > 1, let slash = path.utf8.lastIndex(of: slash) else { return nil }
        return slash == path.startIndex ? "/" : path[..<slash]
    }

    /// The directory without a trailing slash (`/` stays `/`).
    static func trimmed(_ directory: String) -> String {
        directory.utf8.count > 1 && directory.utf8.last == slash ? String(directory.dropLast()) : directory
    }
}
