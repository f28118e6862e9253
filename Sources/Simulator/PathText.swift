/// Absolute-path helpers of the model.
enum PathText {
    /// `/a/b/c` → `/a/b`; `/a` → `/`; nil for `/` and paths without a slash.
    static func parent(of path: String) -> String? {
        guard path.count > 1, let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The directory without a trailing slash (`/` stays `/`).
    static func trimmed(_ directory: String) -> String {
        directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }
}
