import Testing
import TestSupport
@testable import Simulator

/// Random operations on a `FileStore` (a tree of shared, copy-on-write directory nodes) and on a plain
/// model that copies everything: after every operation both must show the same files and directories.
@Suite struct FileStoreModelTests {
    /// The plain model: every file by absolute path, every directory by absolute path.
    struct Plain {
        var files: [String: String] = [:]
        var dirs: Set<String> = []

        mutating func makeDirectories(_ path: String) {
            var current = ""
            for part in path.split(separator: "/") {
                current += "/" + part
                dirs.insert(current)
            }
        }

        mutating func removeContents(of directory: String) {
            let prefix = directory + "/"
            files = files.filter { !$0.key.hasPrefix(prefix) }
            dirs = dirs.filter { !$0.hasPrefix(prefix) }
        }

        func paths(under directory: String) -> [String] {
            let prefix = directory == "/" ? "/" : directory + "/"
            return files.keys.filter { $0.hasPrefix(prefix) }.sorted()
        }

        func listing(_ directory: String) -> [String] {
            paths(under: directory).filter { !$0.dropFirst(directory == "/" ? 1 : directory.count + 1).contains("/") }
        }
    }

    static let directories = ["/a", "/a/b", "/a/b/c", "/a/d", "/x", "/x/y"]
    static let names = ["f", "g", "h.json"]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func treeStoreMatchesThePlainModel(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let store = FileStore(directories: [])
        var plain = Plain()
        // A second store that provides trees to mount, and its plain twin.
        let source = FileStore(directories: [])
        var sourcePlain = Plain()
        for step in 0..<400 {
            let dir = Self.directories.randomElement(using: &random)!
            let file = dir + "/" + Self.names.randomElement(using: &random)!
            let content = "v\(step)"
            var operation = ""
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<30:
                operation = "write \(file)"
                store[file] = SimFile(content: content, mode: 0o644)
                // A file lives in a directory: writing one creates its missing parents.
                plain.makeDirectories(dir)
                plain.files[file] = content
            case 30..<40:
                operation = "delete \(file)"
                store[file] = nil
                plain.files[file] = nil
            case 40..<55:
                operation = "mkdir \(dir)"
                store.makeDirectories(dir)
                plain.makeDirectories(dir)
            case 55..<65:
                operation = "clear \(dir)"
                store.removeContents(of: dir)
                plain.removeContents(of: dir)
            case 65..<80:
                operation = "source write \(file)"
                source.makeDirectories(dir)
                sourcePlain.makeDirectories(dir)
                source[file] = SimFile(content: content, mode: 0o644)
                sourcePlain.files[file] = content
            default:
                // Mount a snapshot of one of the source's directories somewhere in the store.
                let from = Self.directories.randomElement(using: &random)!
                operation = "mount \(from) at \(dir)"
                let tree = source.snapshot(of: from)
                store.mount(tree, at: dir)
                plain.makeDirectories(dir)
                for (relative, file) in tree.files { plain.files[dir + "/" + relative] = file.content }
                for relative in tree.directories { plain.dirs.insert(dir + "/" + relative) }
            }
            let context = Comment(rawValue: "seed \(seed), step \(step): \(operation)")
            #expect(store.paths(under: "/") == plain.paths(under: "/"), context)
            for path in plain.paths(under: "/") where store[path]?.content != plain.files[path] {
                Issue.record("\(path): \(store[path]?.content ?? "nil") != \(plain.files[path] ?? "nil") — \(context)")
            }
            for d in Self.directories {
                #expect(store.listing(d) == plain.listing(d), context)
                #expect(store.isDirectory(d) == plain.dirs.contains(d), "\(d) — \(context)")
                let snapshot = store.snapshot(of: d)
                let prefix = d + "/"
                #expect(snapshot.files.keys.sorted() == plain.paths(under: d).map { String($0.dropFirst(prefix.count)) }, context)
                var expectedDirs = Set(plain.dirs.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
                for relative in snapshot.files.keys {
                    var parts = relative.split(separator: "/").dropLast()
                    while !parts.isEmpty { expectedDirs.insert(parts.joined(separator: "/")); parts.removeLast() }
                }
                #expect(snapshot.directories == expectedDirs, "\(d) — \(context)")
            }
        }
    }
}
