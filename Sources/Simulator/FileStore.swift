/// One directory of the model: its files and subdirectories by name. Nodes are shared between machines
/// and snapshots and copied before a change while shared, so pushing one tree to every host costs one
/// reference per host, and a snapshot costs nothing until either side writes.
final class DirectoryNode: @unchecked Sendable {
    // A node is changed only by the store that owns it alone (`writableNode` copies shared nodes first),
    // one operation at a time; that is what makes sharing nodes across threads safe.
    var files: [String: SimFile] = [:]
    var directories: [String: DirectoryNode] = [:]
    /// Subdirectories attached by `FileStore.mount` and unchanged since: summaries show each as one entry.
    var mounted: Set<String> = []
    /// Files at any depth and the content digest, remembered until the next change below this node.
    var fileCountMemo: Int?
    var digestMemo: String?

    init() {}

    init(copying other: DirectoryNode) {
        files = other.files
        directories = other.directories
        mounted = other.mounted
    }

    var isEmpty: Bool { files.isEmpty && directories.isEmpty }

    /// Called on every node a change passes through.
    func willChange() {
        fileCountMemo = nil
        digestMemo = nil
    }

    var fileCount: Int {
        if let fileCountMemo { return fileCountMemo }
        let count = directories.reduce(files.count) { $0 + $1.value.fileCount }
        fileCountMemo = count
        return count
    }

    /// Every file below, by path relative to this node.
    func forEachFile(prefix: String = "", _ body: (String, SimFile) -> Void) {
        for (name, file) in files { body(prefix + name, file) }
        for (name, child) in directories { child.forEachFile(prefix: prefix + name + "/", body) }
    }

    /// Every directory below, by path relative to this node.
    func forEachDirectory(prefix: String = "", _ body: (String) -> Void) {
        for (name, child) in directories {
            body(prefix + name)
            child.forEachDirectory(prefix: prefix + name + "/", body)
        }
    }

    /// A fingerprint of every file's relative path and content.
    var digest: String {
        if let digestMemo { return digestMemo }
        var lines: [(String, SimFile)] = []
        forEachFile { lines.append(($0, $1)) }
        let digest = StateSummary.digest(lines.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(StateSummary.digest($0.1))" }
            .joined(separator: "\n"))
        digestMemo = digest
        return digest
    }
}

/// A directory tree taken from a machine at one moment. Copying it to another machine shares its nodes.
public final class FileTree: @unchecked Sendable {
    let root: DirectoryNode

    init(_ root: DirectoryNode) { self.root = root }

    /// Relative path → file.
    public private(set) lazy var files: [String: SimFile] = {
        var files: [String: SimFile] = [:]
        root.forEachFile { files[$0] = $1 }
        return files
    }()
    /// Relative directories (without the root itself).
    public private(set) lazy var directories: Set<String> = {
        var directories: Set<String> = []
        root.forEachDirectory { directories.insert($0) }
        return directories
    }()
    public var fileCount: Int { root.fileCount }
    public var digest: String { root.digest }
}

/// A machine's files and directories: a tree of directory nodes, walked one path component at a time.
/// Setting a file creates its missing parent directories; `Machine.write` checks the parent first, as the
/// OS would.
public final class FileStore: @unchecked Sendable {
    private var root: DirectoryNode

    init(directories: [String]) {
        root = DirectoryNode()
        for d in directories { makeDirectories(d) }
    }

    /// A store holding the same entries as `other`, sharing them until either changes.
    init(copying other: FileStore) {
        root = other.root
    }

    /// The non-empty components of `path`: `/a//b/` → [a, b]. Split at every `/` scalar, as the kernel
    /// splits at every `/` byte, even where a combining mark follows it.
    static func components(_ path: String) -> ArraySlice<String> {
        path.unicodeScalars.split(separator: "/").map(String.init)[...]
    }

    /// A path as its parent directory's components and its last component; nil for the root.
    private static func split(_ path: String) -> (parent: ArraySlice<String>, name: String)? {
        let parts = components(path)
        guard let name = parts.last else { return nil }
        return (parts.dropLast(), name)
    }

    /// `path` spelled without empty components or a trailing slash.
    private static func normalized(_ parts: ArraySlice<String>) -> String {
        parts.isEmpty ? "/" : parts.reduce(into: "") { $0 += "/"; $0 += $1 }
    }

    /// The directory node at `parts`, if it exists.
    private func node(_ parts: ArraySlice<String>) -> DirectoryNode? {
        var node = root
        for part in parts {
            guard let next = node.directories[part] else { return nil }
            node = next
        }
        return node
    }

    /// The directory node at `parts`, made private to this store for a change: shared nodes on the way are
    /// copied and memos cleared. Missing directories are created when `create` is set; otherwise a missing
    /// one gives nil (copies made on the way hold the same entries, so nothing visible changed). Mount
    /// marks on the way are dropped only when the walk succeeds.
    private func writableNode(_ parts: ArraySlice<String>, create: Bool) -> DirectoryNode? {
        if !isKnownUniquelyReferenced(&root) { root = DirectoryNode(copying: root) }
        var node = root
        node.willChange()
        var unmark: [(DirectoryNode, String)] = []
        for name in parts {
            if let i = node.directories.index(forKey: name) {
                Self.makeUnique(&node.directories.values[i])
                if !node.mounted.isEmpty { unmark.append((node, name)) }
                node = node.directories.values[i]
            } else {
                guard create else { return nil }
                let child = DirectoryNode()
                node.directories[name] = child
                node = child
            }
            node.willChange()
        }
        for (parent, name) in unmark { parent.mounted.remove(name) }
        return node
    }

    public subscript(path: String) -> SimFile? {
        get {
            guard let (parent, name) = Self.split(path) else { return nil }
            return node(parent)?.files[name]
        }
        set {
            guard let (parent, name) = Self.split(path) else { return }
            if let newValue {
                writableNode(parent, create: true)!.files[name] = newValue
            } else if let node = node(parent), node.files[name] != nil {
                writableNode(parent, create: false)!.files[name] = nil
            }
        }
    }

    /// `rm -rf <directory>/*`, `mkdir -p <directory>` and then the files written into it, in one walk.
    public func replaceContents(of directory: String, with files: [(name: String, file: SimFile)]) {
        let node = writableNode(Self.components(directory), create: true)!
        node.directories = [:]
        node.mounted = []
        node.files = Dictionary(files, uniquingKeysWith: { _, last in last })
    }

    /// Writes a file into an existing directory; false (and no change) when the parent is missing.
    public func write(_ file: SimFile, at path: String) -> Bool {
        guard let (parentParts, name) = Self.split(path), let parent = writableNode(parentParts, create: false) else { return false }
        parent.files[name] = file
        return true
    }

    /// What is at `path`.
    public func entry(at path: String) -> Entry {
        guard let (parent, name) = Self.split(path) else { return .directory }
        return entry(name, in: parent)
    }

    private func entry(_ name: String, in parentParts: ArraySlice<String>) -> Entry {
        guard let parent = node(parentParts) else { return .none }
        if parent.directories[name] != nil { return .directory }
        return parent.files[name] == nil ? .none : .file
    }

    public enum Entry { case none, file, directory }

    public func isDirectory(_ path: String) -> Bool { node(Self.components(path)) != nil }

    /// `mkdir -p`: the directory and every missing ancestor.
    public func makeDirectories(_ path: String) {
        let parts = Self.components(path)
        if node(parts) == nil { _ = writableNode(parts, create: true) }
    }

    /// Removes a directory and everything below it.
    public func removeDirectory(_ path: String) {
        let parts = Self.components(path)
        guard let name = parts.last, node(parts) != nil, let parent = writableNode(parts.dropLast(), create: false) else { return }
        parent.directories[name] = nil
        parent.mounted.remove(name)
    }

    /// Files below `directory`, at any depth, sorted.
    public func paths(under directory: String) -> [String] {
        let parts = Self.components(directory)
        guard let node = node(parts) else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        var result: [String] = []
        node.forEachFile(prefix: prefix) { path, _ in result.append(path) }
        return result.sorted()
    }

    /// Directories below `directory`, at any depth, sorted.
    public func directories(under directory: String) -> [String] {
        let parts = Self.components(directory)
        guard let node = node(parts) else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        var result: [String] = []
        node.forEachDirectory(prefix: prefix) { result.append($0) }
        return result.sorted()
    }

    /// True when some file lies below `directory`.
    public func hasFiles(under directory: String) -> Bool {
        node(Self.components(directory)).map { $0.fileCount > 0 } ?? false
    }

    /// Names of the files directly in `directory` that `include` accepts, sorted.
    public func fileNames(in directory: String, where include: (String) -> Bool = { _ in true }) -> [String] {
        node(Self.components(directory))?.files.keys.filter(include).sorted() ?? []
    }

    /// Files directly in `directory`, sorted.
    public func listing(_ directory: String) -> [String] {
        let parts = Self.components(directory)
        guard let node = node(parts), !node.files.isEmpty else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        return node.files.keys.sorted().map { prefix + $0 }
    }

    /// `rm -rf <directory>/*`.
    public func removeContents(of directory: String) {
        let parts = Self.components(directory)
        guard let existing = node(parts), !existing.isEmpty, let node = writableNode(parts, create: false) else { return }
        node.files = [:]
        node.directories = [:]
        node.mounted = []
    }

    /// The tree below `directory` as it is now (empty when it does not exist). It shares the store's nodes:
    /// taking one copies nothing, and later changes on either side copy only the nodes they touch.
    public func snapshot(of directory: String) -> FileTree {
        FileTree(node(Self.components(directory)) ?? DirectoryNode())
    }

    /// rsync of a tree into `directory`: the tree's files replace same-named ones; other files stay.
    /// Summaries show a tree mounted into an absent or empty directory as one entry until it changes.
    public func mount(_ tree: FileTree, at directory: String) { merge(tree.root, into: directory, mark: true) }

    /// The same as `mount`, but summaries list the copied files one by one.
    public func copy(_ tree: FileTree, into directory: String) { merge(tree.root, into: directory, mark: false) }

    private func merge(_ source: DirectoryNode, into directory: String, mark: Bool) {
        let parts = Self.components(directory)
        guard let name = parts.last else {
            let target = writableNode(parts, create: false)!
            Self.merge(source, into: target)
            return
        }
        let existing = node(parts)
        if existing === source { return }
        let parent = writableNode(parts.dropLast(), create: true)!
                if existing?.isEmpty ?? true {
            parent.directories[name] = source
            if mark { parent.mounted.insert(name) } else { parent.mounted.remove(name) }
        } else {
            Self.merge(source, into: writableNode(parts, create: false)!)
        }
    }

    /// Merges `source` into a node private to this store, sharing every subtree the target lacks.
    private static func merge(_ source: DirectoryNode, into target: DirectoryNode) {
        target.willChange()
        for (name, file) in source.files { target.files[name] = file }
        for (name, child) in source.directories {
            guard let i = target.directories.index(forKey: name), !target.directories.values[i].isEmpty else {
                target.directories[name] = child
                continue
            }
            if target.directories.values[i] === child { continue }
            makeUnique(&target.directories.values[i])
            target.mounted.remove(name)
            merge(child, into: target.directories.values[i])
        }
    }

    /// Replaces a node that is also held elsewhere (another store, a snapshot, a machine) by a private copy.
    private static func makeUnique(_ node: inout DirectoryNode) {
        if !isKnownUniquelyReferenced(&node) { node = DirectoryNode(copying: node) }
    }

    /// What differs from `start`: a file created or changed, or a tree mounted and unchanged since, which
    /// may be shared with other machines and is given whole rather than file by file.
    public enum Change {
        case file(path: String, file: SimFile)
        case tree(path: String, tree: FileTree)
    }

    /// Every file created or changed since the store was `start`, and every mounted, unchanged tree, in
    /// path order. Directories still shared with `start` are skipped without being walked.
    public func changes(since start: FileStore) -> [Change] {
        var result: [Change] = []
        func visit(_ node: DirectoryNode, _ before: DirectoryNode?, _ prefix: String) {
            if node === before { return }
            for (name, file) in node.files.sorted(by: { $0.key < $1.key }) where before?.files[name] != file {
                result.append(.file(path: prefix + name, file: file))
            }
            for (name, child) in node.directories.sorted(by: { $0.key < $1.key }) {
                let earlier = before?.directories[name]
                if node.mounted.contains(name) && child !== earlier {
                    result.append(.tree(path: prefix + name, tree: FileTree(child)))
                } else {
                    visit(child, earlier, prefix + name + "/")
                }
            }
        }
        visit(root, start.root, "/")
        return result
    }

    /// Every file by absolute path, except that each mounted, unchanged tree is one `<dir>/**` entry.
    public func summaryEntries() -> [String: String] {
        var result: [String: String] = [:]
        func visit(_ node: DirectoryNode, _ prefix: String) {
            for (name, file) in node.files { result[prefix + name] = StateSummary.digest(file) }
            for (name, child) in node.directories {
                if node.mounted.contains(name) {
                    result[prefix + name + "/**"] = "tree \(child.digest) \(child.fileCount) files"
                } else {
                    visit(child, prefix + name + "/")
                }
            }
        }
        visit(root, "/")
        return result
    }
}
