/// An immutable directory tree shared between machines: copying a tree to another machine mounts the
/// same object instead of duplicating every file, which keeps "push the global ranktables to every
/// host" linear in the number of hosts.
public final class FileTree: @unchecked Sendable {
    /// Relative path → file.
    public let files: [String: SimFile]
    /// Relative directories (without the root itself).
    public let directories: Set<String>
    /// Relative directory ("" for the root) → relative paths of the files directly inside, sorted.
    private(set) lazy var byDirectory: [String: [String]] = {
        var index: [String: [String]] = [:]
        for path in files.keys {
            let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            index[dir, default: []].append(path)
        }
        return index.mapValues { $0.sorted() }
    }()
    public private(set) lazy var digest: String = {
        StateSummary.digest(files.keys.sorted().map { "\($0)=\(StateSummary.digest(files[$0]!.content))" }.joined(separator: "\n"))
    }()

    init(files: [String: SimFile], directories: Set<String>) {
        self.files = files
        self.directories = directories
    }
}

/// A machine's files and directories: its own, plus mounted shared trees. Own entries take precedence.
public final class FileStore: @unchecked Sendable {
    private(set) var own: [String: SimFile] = [:] { didSet { generation &+= 1 } }
    private var dirs: Set<String> = [] { didSet { generation &+= 1 } }
    /// Absolute directory → tree mounted there.
    private(set) var mounts: [String: FileTree] = [:] { didSet { generation &+= 1 } }
    /// Changes on every write, so snapshots can be reused while nothing changed.
    private var generation = 0
    private var snapshots: [String: (generation: Int, tree: FileTree)] = [:]

    init(directories: [String]) {
        for d in directories { makeDirectories(d) }
    }

    private func mount(containing path: String) -> (prefix: String, tree: FileTree, relative: String)? {
        for (prefix, tree) in mounts {
            if path == prefix { return (prefix, tree, "") }
            if path.hasPrefix(prefix + "/") { return (prefix, tree, String(path.dropFirst(prefix.count + 1))) }
        }
        return nil
    }

    public subscript(path: String) -> SimFile? {
        get {
            if let file = own[path] { return file }
            guard let (_, tree, relative) = mount(containing: path) else { return nil }
            return tree.files[relative]
        }
        set {
            if newValue == nil, let (prefix, _, _) = mount(containing: path) { materialize(prefix) }
            own[path] = newValue
        }
    }

    public func isDirectory(_ path: String) -> Bool {
        if dirs.contains(path) { return true }
        guard let (_, tree, relative) = mount(containing: path) else { return false }
        return relative.isEmpty || tree.directories.contains(relative)
    }

    public func makeDirectories(_ path: String) {
        if dirs.contains(path) { return }
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if !dirs.contains(current) { dirs.insert(current) }
        }
    }

    public func removeDirectory(_ path: String) { dirs.remove(path) }

    /// Files below `directory`, at any depth, sorted.
    public func paths(under directory: String) -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var result = Set(own.keys.filter { $0.hasPrefix(prefix) })
        for (root, tree) in mounts {
            if root.hasPrefix(prefix) || root == directory {
                for rel in tree.files.keys { result.insert(root + "/" + rel) }
            } else if directory.hasPrefix(root + "/") {
                let inner = String(directory.dropFirst(root.count + 1)) + "/"
                for rel in tree.files.keys where rel.hasPrefix(inner) { result.insert(root + "/" + rel) }
            }
        }
        return result.sorted()
    }

    /// Files directly in `directory`, sorted.
    public func listing(_ directory: String) -> [String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var result = Set(own.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") })
        if let (root, tree, relative) = mount(containing: directory) {
            for rel in tree.byDirectory[relative] ?? [] { result.insert(root + "/" + rel) }
        }
        return result.sorted()
    }

    /// `rm -rf <directory>/*`.
    public func removeContents(of directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        if let (root, _, _) = mount(containing: directory), root != directory { materialize(root) }
        own = own.filter { !$0.key.hasPrefix(prefix) }
        dirs = dirs.filter { !$0.hasPrefix(prefix) }
        mounts = mounts.filter { !$0.key.hasPrefix(prefix) && $0.key != directory }
    }

    /// The tree below `directory`, reusing a mounted tree when nothing was written over it, and the last
    /// snapshot while nothing changed at all.
    public func snapshot(of directory: String) -> FileTree {
        if let cached = snapshots[directory], cached.generation == generation { return cached.tree }
        let tree = buildSnapshot(of: directory)
        snapshots[directory] = (generation, tree)
        return tree
    }

    private func buildSnapshot(of directory: String) -> FileTree {
        let prefix = directory + "/"
        if let tree = mounts[directory], !own.keys.contains(where: { $0.hasPrefix(prefix) }),
           !dirs.contains(where: { $0.hasPrefix(prefix) }), !mounts.keys.contains(where: { $0.hasPrefix(prefix) }) {
            return tree
        }
        var files: [String: SimFile] = [:]
        for path in paths(under: directory) { files[String(path.dropFirst(prefix.count))] = self[path] }
        var directories = Set(dirs.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        for (root, tree) in mounts where root.hasPrefix(prefix) || root == directory {
            let base = root == directory ? "" : String(root.dropFirst(prefix.count))
            if !base.isEmpty { directories.insert(base) }
            for d in tree.directories { directories.insert(base.isEmpty ? d : base + "/" + d) }
        }
        for rel in files.keys {
            var parts = rel.split(separator: "/").dropLast()
            while !parts.isEmpty { directories.insert(parts.joined(separator: "/")); parts.removeLast() }
        }
        return FileTree(files: files, directories: directories)
    }

    /// rsync into `directory`: the tree's files replace same-named ones; other files stay.
    public func mount(_ tree: FileTree, at directory: String) {
        for (root, _) in mounts where root == directory || root.hasPrefix(directory + "/") || directory.hasPrefix(root + "/") {
            materialize(root)
        }
        if !own.isEmpty {
            let prefix = directory + "/"
            own = own.filter { !($0.key.hasPrefix(prefix) && tree.files[String($0.key.dropFirst(prefix.count))] != nil) }
        }
        makeDirectories(directory)
        mounts[directory] = tree
    }

    /// Copies a mounted tree into own files (before a write that would change it).
    private func materialize(_ root: String) {
        guard let tree = mounts.removeValue(forKey: root) else { return }
        for (rel, file) in tree.files where own[root + "/" + rel] == nil { own[root + "/" + rel] = file }
        for d in tree.directories { dirs.insert(root + "/" + d) }
        dirs.insert(root)
    }

    /// Own files and one entry per mounted tree, for summaries.
    public func summaryEntries() -> [String: String] {
        var result = own.mapValues { StateSummary.digest($0.content) }
        for (root, tree) in mounts { result[root + "/**"] = "tree \(tree.digest) \(tree.files.count) files" }
        return result
    }
}
