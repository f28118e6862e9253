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
            let dir = PathText.parent(of: path[...]).map(String.init) ?? ""
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
/// Own entries are indexed by parent directory, so listing, walking and clearing a directory cost the
/// size of that directory's subtree, not the number of files on the machine.
public final class FileStore: @unchecked Sendable {
    private(set) var own: [String: SimFile] = [:] { didSet { generation &+= 1 } }
    private var dirs: Set<String> = [] { didSet { generation &+= 1 } }
    /// Absolute directory → tree mounted there.
    private(set) var mounts: [String: FileTree] = [:] { didSet { generation &+= 1 } }
    /// Directory → paths directly inside it under which own files or directories were created. A path has
    /// an entry exactly when it is listed in its parent's (directories get one when made, so each is
    /// listed once). Entries may outlive what they point to; every reader checks `own` and `dirs`.
    private var index: [String: [String]] = [:]
    /// Changes on every write, so snapshots can be reused while nothing changed.
    private var generation = 0
    private var snapshots: [String: (generation: Int, tree: FileTree)] = [:]

    init(directories: [String]) {
        for d in directories { makeDirectories(d) }
    }

    /// A store holding the same entries as `other` (sharing its storage until either changes).
    init(copying other: FileStore) {
        own = other.own
        dirs = other.dirs
        mounts = other.mounts
        index = other.index
    }

    private func mount(containing path: String) -> (prefix: String, tree: FileTree, relative: String)? {
        for (prefix, tree) in mounts {
            if path == prefix { return (prefix, tree, "") }
            if PathText.isInside(path, prefix) { return (prefix, tree, String(path.utf8.dropFirst(prefix.utf8.count + 1))!) }
        }
        return nil
    }

    /// Lists a new file under its parent, and the parent under its own, up to the first indexed ancestor.
    private func addToIndex(_ path: String) {
        var child = path
        while let parent = PathText.parent(of: child[...]).map(String.init) {
            let known = index[parent] != nil
            index[parent, default: []].append(child)
            if known { return }
            child = parent
        }
    }

    /// Every indexed path strictly below `directory`, parents before children.
    private func indexed(below directory: String) -> [String] {
        var result: [String] = []
        var pending = [directory]
        while let next = pending.popLast() {
            guard let children = index[next] else { continue }
            for child in children {
                result.append(child)
                pending.append(child)
            }
        }
        return result
    }

    public subscript(path: String) -> SimFile? {
        get {
            if let file = own[path] { return file }
            guard let (_, tree, relative) = mount(containing: path) else { return nil }
            return tree.files[relative]
        }
        set {
            if newValue == nil, let (prefix, _, _) = mount(containing: path) { materialize(prefix) }
            if newValue != nil, own[path] == nil { addToIndex(path) }
            own[path] = newValue
        }
    }

    public func isDirectory(_ path: String) -> Bool {
        if dirs.contains(path) { return true }
        guard let (_, tree, relative) = mount(containing: path) else { return false }
        return relative.isEmpty || tree.directories.contains(relative)
    }

    /// `mkdir -p`: the directory and every missing ancestor.
    public func makeDirectories(_ path: String) {
        if dirs.contains(path) { return }
        guard PathText.isNormalAbsolute(path), path != "/" else {
            // Unusual spellings: build the normalised path part by part.
            var current = ""
            for part in path.split(separator: "/") { current += "/" + part; makeDirectories(current) }
            return
        }
        // One walk up: create the missing directories and list each new one under its parent, stopping at
        // the first ancestor that already exists and is listed.
        var child = path
        var linking = index[path] == nil
        if linking { index[path] = [] }
        while let parentText = PathText.parent(of: child[...]) {
            dirs.insert(child)
            let parent = String(parentText)
            if linking {
                linking = index[parent] == nil
                index[parent, default: []].append(child)
            }
            if parent == "/" || (!linking && dirs.contains(parent)) { return }
            child = parent
        }
    }

    public func removeDirectory(_ path: String) { dirs.remove(path) }

    /// Files below `directory`, at any depth, sorted.
    public func paths(under directory: String) -> [String] {
        let directory = PathText.trimmed(directory)
        let prefix = directory == "/" ? "/" : directory + "/"
        var result = Set(indexed(below: directory).filter { own[$0] != nil })
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
        let directory = PathText.trimmed(directory)
        var result = index[directory].map { Set($0.filter { own[$0] != nil }) } ?? []
        if let (root, tree, relative) = mount(containing: directory) {
            for rel in tree.byDirectory[relative] ?? [] { result.insert(root + "/" + rel) }
        }
        return result.sorted()
    }

    /// `rm -rf <directory>/*`.
    public func removeContents(of directory: String) {
        let directory = PathText.trimmed(directory)
        let prefix = directory == "/" ? "/" : directory + "/"
        if let (root, _, _) = mount(containing: directory), root != directory { materialize(root) }
        let below = indexed(below: directory)
        if !below.isEmpty {
            for path in below {
                if own[path] != nil { own[path] = nil }
                if dirs.contains(path) { dirs.remove(path) }
                index[path] = nil
            }
            index[directory] = []
        }
        if mounts.keys.contains(where: { $0.hasPrefix(prefix) || $0 == directory }) {
            mounts = mounts.filter { !$0.key.hasPrefix(prefix) && $0.key != directory }
        }
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
        let below = indexed(below: directory)
        let ownBelow = below.filter { own[$0] != nil }
        let dirsBelow = below.filter { dirs.contains($0) }
        if let tree = mounts[directory], ownBelow.isEmpty, dirsBelow.isEmpty, !mounts.keys.contains(where: { $0.hasPrefix(prefix) }) {
            return tree
        }
        func relative(_ path: String) -> String { String(path.utf8.dropFirst(prefix.utf8.count))! }
        var files: [String: SimFile] = [:]
        var directories = Set(dirsBelow.map(relative))
        for (root, tree) in mounts {
            if root == directory || root.hasPrefix(prefix) {
                let base = root == directory ? "" : relative(root) + "/"
                for (rel, file) in tree.files { files[base + rel] = file }
                var ancestor = base.dropLast()
                while !ancestor.isEmpty {
                    directories.insert(String(ancestor))
                    ancestor = PathText.parent(of: ancestor) ?? ""
                }
                for d in tree.directories { directories.insert(base + d) }
            } else if PathText.isInside(directory, root) {
                let inner = String(directory.utf8.dropFirst(root.utf8.count + 1))! + "/"
                for (rel, file) in tree.files where rel.hasPrefix(inner) { files[String(rel.utf8.dropFirst(inner.utf8.count))!] = file }
                for d in tree.directories where d.hasPrefix(inner) { directories.insert(String(d.utf8.dropFirst(inner.utf8.count))!) }
            }
        }
        // Own files take precedence over mounted ones.
        for path in ownBelow { files[relative(path)] = own[path] }
        for rel in files.keys {
            var current = rel[...]
            while let parent = PathText.parent(of: current), parent != "/", directories.insert(String(parent)).inserted {
                current = parent
            }
        }
        return FileTree(files: files, directories: directories)
    }

    /// rsync into `directory`: the tree's files replace same-named ones; other files stay.
    public func mount(_ tree: FileTree, at directory: String) {
        for (root, _) in mounts where root == directory || root.hasPrefix(directory + "/") || directory.hasPrefix(root + "/") {
            materialize(root)
        }
        let prefix = directory + "/"
        for path in indexed(below: directory) where own[path] != nil && tree.files[String(path.dropFirst(prefix.count))] != nil {
            own[path] = nil
        }
        makeDirectories(directory)
        mounts[directory] = tree
    }

    /// Copies a mounted tree into own files (before a write that would change it).
    private func materialize(_ root: String) {
        guard let tree = mounts.removeValue(forKey: root) else { return }
        for (rel, file) in tree.files where own[root + "/" + rel] == nil { self[root + "/" + rel] = file }
        for d in tree.directories { makeDirectories(root + "/" + d) }
        makeDirectories(root)
    }

    /// Own files and one entry per mounted tree, for summaries.
    public func summaryEntries() -> [String: String] {
        var result = own.mapValues { StateSummary.digest($0.content) }
        for (root, tree) in mounts { result[root + "/**"] = "tree \(tree.digest) \(tree.files.count) files" }
        return result
    }
}
