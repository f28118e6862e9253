import Foundation

/// Splits paths into components and remembers each directory's split: the hosts of a run read and write
/// the same few directories over and over. Directories are found by the FNV-1a code of their bytes, so a
/// lookup allocates nothing. The stores copied from one base share one instance; like the stores, it
/// serves one rehearsal at a time.
final class PathSplits: @unchecked Sendable {
    private var known: [Int: [(text: String, parts: ArraySlice<Name>)]] = [:]

    /// The non-empty components of a directory path.
    func directory(_ path: String) -> ArraySlice<Name> {
        var path = path
        return path.withUTF8 { directory($0) }
    }

    private func directory(_ bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<Name> {
        let code = Name.code(of: bytes)
        if let bucket = known[code] {
            for entry in bucket {
                var text = entry.text
                if text.withUTF8({ $0.count == bytes.count && (bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0) }) {
                    return entry.parts
                }
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = FileStore.components(text)
        known[code, default: []].append((text, parts))
        return parts
    }

    /// A path as its parent directory's components and its last component; nil for the root.
    /// Trailing slashes are ignored, as `FileStore.components` ignores them.
    func file(_ path: String) -> (parent: ArraySlice<Name>, name: Name)? {
        var path = path
        return path.withUTF8 { bytes in
            var end = bytes.count
            while end > 0 && bytes[end - 1] == PathText.slash { end -= 1 }
            guard end > 0 else { return nil }
            var start = end
            while start > 0 && bytes[start - 1] != PathText.slash { start -= 1 }
            let name = UnsafeBufferPointer(rebasing: bytes[start..<end])
            return (directory(UnsafeBufferPointer(rebasing: bytes[..<start])),
                    Name(text: String(decoding: name, as: UTF8.self), code: Name.code(of: name)))
        }
    }
}
