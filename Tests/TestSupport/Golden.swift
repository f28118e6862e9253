import Foundation

/// The reference tools' recorded outputs in Tests/Golden, read from disk.
public enum Golden {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public static func bytes(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }

    /// Every file under `relative`, by its path relative to that directory, with its bytes.
    public static func tree(_ relative: String) throws -> [String: [UInt8]] {
        let base = url(relative).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(atPath: base) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: base])
        }
        var files: [String: [UInt8]] = [:]
        for case let name as String in walker {
            let path = base + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return files
    }

    /// Nil when the two byte strings are equal; else where they first differ, with the text around it.
    public static func difference(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
        guard actual != expected else { return nil }
        var at = 0
        while at < actual.count && at < expected.count && actual[at] == expected[at] { at += 1 }
        func around(_ b: [UInt8]) -> String {
            String(decoding: b[max(0, at - 60)..<min(b.count, at + 60)], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(at) (\(actual.count) bytes, reference \(expected.count)):\n  got       \(around(actual))\n  reference \(around(expected))"
    }

    /// What differs between two trees of files: names missing or extra, and each file whose bytes differ.
    /// Empty when `actual` holds exactly the files of `expected`, byte for byte.
    public static func treeDifferences(_ actual: [String: [UInt8]], _ expected: [String: [UInt8]]) -> [String] {
        var problems: [String] = []
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        if !missing.isEmpty { problems.append("missing (the reference wrote them): \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { problems.append("extra (the reference did not write them): \(extra.joined(separator: ", "))") }
        for (name, bytes) in expected.sorted(by: { $0.key < $1.key }) {
            if let mine = actual[name], let d = difference(mine, bytes) { problems.append("\(name): \(d)") }
        }
        return problems
    }
}
