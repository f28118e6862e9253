/// One directory of the model: its files and subdirectories by name. Nodes are shared between machines
/// and snapshots and copied before a change while shared, so pushing one tree to every host costs one
/// reference per host, and a snapshot costs nothing until either side writes.
final class DirectoryNode: @unchecked Sendable {
    // Nodes are only changed by the store that owns them alone, one operation at a time: the dynamic
    // exclusivity checks would double the cost of every path step.
    @exclusivity(unchecked) var files = NameMap<SimFile>()
    @exclusivity(unchecked) var directories = NameMap<DirectoryNode>()
    /// Subdirectories attached by `FileStore.mount` and unchanged since: summaries show each as one entry.
    @exclusivity(unchecked) var mounted: Set<Name> = []
    /// Files at any depth and the content digest, remembered until the next change below this node.
    @exclusivity(unchecked) var fileCountMemo: Int?
    @exclusivity(unchecked) var digestMemo: String?

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
        for (name, file) in files { body(prefix + name.text, file) }
        for (name, child) in directories { child.forEachFile(prefix: prefix + name.text + "/", body) }
    }

    /// Every directory below, by path relative to this node.
    func forEachDirectory(prefix: String = "", _ body: (String) -> Void) {
        for (name, child) in directories {
            body(prefix + name.text)
            child.forEachDirectory(prefix: prefix + name.text + "/", body)
        }
    }

    /// A fingerprint of every file's relative path and content.
    var digest: String {
        if let digestMemo { return digestMemo }
        var lines: [(String, SimFile)] = []
        forEachFile { lines.append(($0, $1)) }
        let digest = StateSummary.digest(lines.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(StateSummary.digest($0.1.content))" }
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
    /// Directory splits, shared with the stores copied from this one.
    private let splits: PathSplits

    init(directories: [String], splits: PathSplits = PathSplits()) {
        root = DirectoryNode()
        self.splits = splits
        for d in directories { makeDirectories(d) }
    }

    /// A store holding the same entries as `other`, sharing them until either changes.
    init(copying other: FileStore) {
        root = other.root
        splits = other.splits
    }

    /// The non-empty components of `path`: `/a//b/` → [a, b].
    static func components(_ path: String) -> ArraySlice<Name> {
        var path = path
        return path.withUTF8 { bytes in
            var parts: [Name] = []
            parts.reserveCapacity(8)
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == PathText.slash {
                if i > start {
                    let part = UnsafeBufferPointer(rebasing: bytes[start..<i])
                    parts.append(Name(text: String(decoding: part, as: UTF8.self), code: Name.code(of: part)))
                }
                start = i + 1
            }
            return parts[...]
        }
    }

    /// `path` spelled without empty components or a trailing slash.
    private static func normalized(_ parts: ArraySlice<Name>) -> String {
        parts.isEmpty ? "/" : parts.reduce(into: "") { $0 += "/"; $0 += $1.text }
    }

    /// The directory node at `parts`, if it exists.
    private func node(_ parts: ArraySlice<Name>) -> DirectoryNode? {
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
    private func writableNode(_ parts: ArraySlice<Name>, create: Bool) -> DirectoryNode? {
        if !isKnownUniquelyReferenced(&root) { root = DirectoryNode(copying: root) }
        var node = root
        node.willChange()
        var unmark: [(DirectoryNode, Name)] = []
        for name in parts {
            if let i = node.directories.index(forKey: name) {
                if !isKnownUniquelyReferenced(&node.directories[at: i]) {
                    node.directories[at: i] = DirectoryNode(copying: node.directories[at: i])
                }
                if !node.mounted.isEmpty { unmark.append((node, name)) }
                node = node.directories[at: i]
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
            guard let (parent, name) = splits.file(path) else { return nil }
            return node(parent)?.files[name]
        }
        set {
            guard let (parent, name) = splits.file(path) else { return }
            if let newValue {
                writableNode(parent, create: true)!.files[name] = newValue
            } else if let node = node(parent), node.files[name] != nil {
                writableNode(parent, create: false)!.files[name] = nil
            }
        }
    }

    /// `rm -rf <directory>/*`, `mkdir -p <directory>` and then the files written into it, in one walk.
    public func replaceContents(of directory: String, with files: [(name: String, file: SimFile)]) {
        let node = writableNode(splits.directory(directory), create: true)!
        node.directories = NameMap()
        node.mounted = []
        var contents = NameMap<SimFile>()
        contents.reserveCapacity(files.count)
        for (name, file) in files { contents[Name(name)] = file }
        node.files = contents
    }

    /// Writes a file into an existing directory; false (and no change) when the parent is missing.
    public func write(_ file: SimFile, at path: String) -> Bool {
        guard let (parentParts, name) = splits.file(path), let parent = writableNode(parentParts, create: false) else { return false }
        parent.files[name] = file
        return true
    }

    /// What is at `path`.
    public func entry(at path: String) -> Entry {
        guard let (parent, name) = splits.file(path) else { return .directory }
        return entry(name, in: parent)
    }

    /// What is at a path split beforehand (one used on every host).
    func entry(at parts: ArraySlice<Name>) -> Entry {
        guard let name = parts.last else { return .directory }
        return entry(name, in: parts.dropLast())
    }

    private func entry(_ name: Name, in parentParts: ArraySlice<Name>) -> Entry {
        guard let parent = node(parentParts) else { return .none }
        if parent.directories[name] != nil { return .directory }
        return parent.files[name] == nil ? .none : .file
    }

    public enum Entry { case none, file, directory }

    public func isDirectory(_ path: String) -> Bool { node(splits.directory(path)) != nil }

    /// `mkdir -p`: the directory and every missing ancestor.
    public func makeDirectories(_ path: String) {
        let parts = splits.directory(path)
        if node(parts) == nil { _ = writableNode(parts, create: true) }
    }

    /// `mkdir -p` of a directory known to be missing: one walk, creating what is missing.
    public func createDirectories(_ path: String) { createDirectories(splits.directory(path)) }

    func createDirectories(_ parts: ArraySlice<Name>) { _ = writableNode(parts, create: true) }

    /// Removes a directory and everything below it.
    public func removeDirectory(_ path: String) {
        let parts = splits.directory(path)
        guard let name = parts.last, node(parts) != nil, let parent = writableNode(parts.dropLast(), create: false) else { return }
        parent.directories[name] = nil
        parent.mounted.remove(name)
    }

    /// Files below `directory`, at any depth, sorted.
    public func paths(under directory: String) -> [String] {
        let parts = splits.directory(directory)
        guard let node = node(parts) else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        var result: [String] = []
        node.forEachFile(prefix: prefix) { path, _ in result.append(path) }
        return result.sorted()
    }

    /// Directories below `directory`, at any depth, sorted.
    public func directories(under directory: String) -> [String] {
        let parts = splits.directory(directory)
        guard let node = node(parts) else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        var result: [String] = []
        node.forEachDirectory(prefix: prefix) { result.append($0) }
        return result.sorted()
    }

    /// True when some file lies below `directory`.
    public func hasFiles(under directory: String) -> Bool {
        node(splits.directory(directory)).map { $0.fileCount > 0 } ?? false
    }

    /// Names of the files directly in `directory` that `include` accepts, sorted.
    public func fileNames(in directory: String, where include: (String) -> Bool = { _ in true }) -> [String] {
        node(splits.directory(directory))?.files.keys.map(\.text).filter(include).sorted() ?? []
    }

    /// Files directly in `directory`, sorted.
    public func listing(_ directory: String) -> [String] {
        let parts = splits.directory(directory)
        guard let node = node(parts), !node.files.isEmpty else { return [] }
        let prefix = parts.isEmpty ? "/" : Self.normalized(parts) + "/"
        return node.files.keys.map(\.text).sorted().map { prefix + $0 }
    }

    /// `rm -rf <directory>/*`.
    public func removeContents(of directory: String) {
        let parts = splits.directory(directory)
        guard let existing = node(parts), !existing.isEmpty, let node = writableNode(parts, create: false) else { return }
        node.files = NameMap()
        node.directories = NameMap()
        node.mounted = []
    }

    /// The tree below `directory` as it is now (empty when it does not exist). It shares the store's nodes:
    /// taking one copies nothing, and later changes on either side copy only the nodes they touch.
    public func snapshot(of directory: String) -> FileTree {
        FileTree(node(splits.directory(directory)) ?? DirectoryNode())
    }

    /// rsync of a tree into `directory`: the tree's files replace same-named ones; other files stay.
    /// Summaries show a tree mounted into an absent or empty directory as one entry until it changes.
    public func mount(_ tree: FileTree, at directory: String) { merge(tree.root, into: directory, mark: true) }

    /// The same as `mount`, but summaries list the copied files one by one.
    public func copy(_ tree: FileTree, into directory: String) { merge(tree.root, into: directory, mark: false) }

    private func merge(_ source: DirectoryNode, into directory: String, mark: Bool) {
        let parts = splits.directory(directory)
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
            guard let i = target.directories.index(forKey: name), !target.directories[at: i].isEmpty else {
                target.directories[name] = child
                continue
            }
            if target.directories[at: i] === child { continue }
            if !isKnownUniquelyReferenced(&target.directories[at: i]) {
                target.directories[at: i] = DirectoryNode(copying: target.directories[at: i])
            }
            target.mounted.remove(name)
            merge(child, into: target.directories[at: i])
        }
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
            for (name, file) in node.files.sorted(by: { $0.key.text < $1.key.text }) where before?.files[name] != file {
                result.append(.file(path: prefix + name.text, file: file))
            }
            for (name, child) in node.directories.sorted(by: { $0.key.text < $1.key.text }) {
                let earlier = before?.directories[name]
                if node.mounted.contains(name) && child !== earlier {
                    result.append(.tree(path: prefix + name.text, tree: FileTree(child)))
                } else {
                    visit(child, earlier, prefix + name.text + "/")
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
            for (name, file) in node.files { result[prefix + name.text] = StateSummary.digest(file.content) }
            for (name, child) in node.directories {
                if node.mounted.contains(name) {
                    result[prefix + name.text + "/**"] = "tree \(child.digest) \(child.fileCount) files"
                } else {
                    visit(child, prefix + name.text + "/")
                }
            }
        }
        visit(root, "/")
        return result
    }
}
