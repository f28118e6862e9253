/// The files a rehearsal leaves on each inventory host, as `omnisim validate` writes them out under
/// `hosts/<host>/<absolute path>`.
///
/// A host's files are the files of its machine that the run created or changed (hosts on one address
/// share one file system, so they list the same machine files), plus the files inside the host's own
/// container, such as nginx.conf. Left out are the files whose contents the simulator only stands in for:
/// the code checkout copied from the executor (`CODE_PATH/omniinfer`) and the programs' logs (under
/// `LOG_PATH`), except what lies in `SCRIPTS_PATH` or `ranktable_save_path`, which omnisim writes itself.
///
/// A tree pushed whole to many machines and unchanged since (the global ranktable directory of a large
/// cluster) is one shared tree in the model; it is written once, under `hosts/.shared/<n>/`, and each
/// host's directory links there, so the output grows with the number of hosts, not with its square.
public enum HostFiles {
    public enum Entry {
        case file(SimFile)
        case tree(FileTree)
    }

    /// The directory under `hosts/` that holds the shared trees.
    public static let sharedDirectory = ".shared"

    /// One host's files and shared trees by absolute path, sorted.
    public static func entries(of host: Host, in world: World, cluster: Cluster) -> [(path: String, entry: Entry)] {
        let settings = cluster.settings
        let written = [settings.scriptsPath, settings.ranktableSavePath].map(directoryPrefix)
        let standIns = [settings.codePath + "/omniinfer", settings.logPath].map(directoryPrefix)
        func listed(_ path: String) -> Bool {
            let asDirectory = path + "/"
            return written.contains { asDirectory.hasPrefix($0) } || !standIns.contains { asDirectory.hasPrefix($0) }
        }
        let machine = world.machine(for: host)
        var entries: [String: Entry] = [:]
        for change in machine.changes() {
            switch change {
            case .file(let path, let file) where listed(path): entries[path] = .file(file)
            case .tree(let path, let tree) where listed(path): entries[path] = .tree(tree)
            default: break
            }
        }
        // A container's own files are not under its bind mounts, so they name no machine file; were a
        // path both, the container's file is the one its programs read.
        for (path, file) in machine.containers[cluster.containerName(host)]?.files ?? [:] { entries[path] = .file(file) }
        return entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Writes what `hosts/` holds, one file at a time: files at `<host>/<path without its leading slash>`
    /// (hosts in inventory order), and links from each host's shared directories to their one copy, which
    /// is written where it is first met.
    public static func write(of world: World, cluster: Cluster, into tree: AtomicFile.DirectoryWriter) throws {
        // Shared trees numbered in the order they are first met, which the sorted walk makes the same
        // on every run.
        var shared: [ObjectIdentifier: String] = [:]
        for host in cluster.hosts {
            let directory = host.name == sharedDirectory ? "%2E" + sharedDirectory.dropFirst() : component(host.name)
            for (path, entry) in entries(of: host, in: world, cluster: cluster) {
                let parts = [directory] + components(path)
                let relative = parts.joined(separator: "/")
                switch entry {
                case .file(let file):
                    try file.withBytes { try tree.file(relative, bytes: $0) }
                case .tree(let files):
                    let id = ObjectIdentifier(files.root)
                    let name: String
                    if let known = shared[id] {
                        name = known
                    } else {
                        name = sharedDirectory + "/" + String(shared.count + 1)
                        shared[id] = name
                        for (file, content) in files.files.sorted(by: { $0.key < $1.key }) {
                            let relative = ([name] + components(file)).joined(separator: "/")
                            try content.withBytes { try tree.file(relative, bytes: $0) }
                        }
                    }
                    try tree.link(relative, to: String(repeating: "../", count: parts.count - 1) + name)
                }
            }
        }
    }

    /// A path's components as directory entries (split at every `/`, as the kernel splits paths).
    static func components(_ path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { component(String(Substring($0))) }
    }

    /// A host name or path component as one directory entry that stays where it is written: `.` and `..`
    /// (which the static rules refuse, but a rehearsal still runs with) and `/` are percent-encoded. A host
    /// named like the shared directory has its dot encoded as well.
    static func component(_ name: String) -> String {
        switch name {
        case ".": return "%2E"
        case "..": return "%2E%2E"
        default:
            guard name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "%") }) else { return name }
            return name.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
        }
    }

    /// `directory` with one trailing slash, so that `/data/log` does not cover `/data/logs`.
    private static func directoryPrefix(_ directory: String) -> String {
        let trimmed = PathText.trimmed(directory)
        return trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
    }
}
