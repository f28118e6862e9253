/// The files a rehearsal leaves on each inventory host, as `omnisim validate` writes them out under
/// `hosts/<host>/<absolute path>`.
///
/// A host's files are the files of its machine that the run created or changed (hosts on one address
/// share one file system, so they list the same machine files), plus the files inside the host's own
/// container, such as nginx.conf. Left out are the files whose contents the simulator only stands in for:
/// the code checkout copied from the executor (`CODE_PATH/omniinfer`) and the programs' logs (under
/// `LOG_PATH`), except what lies in `SCRIPTS_PATH` or `ranktable_save_path`, which omnisim writes itself.
public enum HostFiles {
    /// One host's files by absolute path, sorted.
    public static func files(of host: Host, in world: World, cluster: Cluster) -> [(path: String, file: SimFile)] {
        let settings = cluster.settings
        let written = [settings.scriptsPath, settings.ranktableSavePath].map(directoryPrefix)
        let standIns = [settings.codePath + "/omniinfer", settings.logPath].map(directoryPrefix)
        let machine = world.machine(for: host)
        var files: [String: SimFile] = [:]
        for path in machine.changedFiles() {
            let ours = written.contains { path.hasPrefix($0) }
            if !ours && standIns.contains(where: { path.hasPrefix($0) }) { continue }
            files[path] = machine.files[path]
        }
        // A container's own files are not under its bind mounts, so they name no machine file; were a
        // path both, the container's file is the one its programs read.
        for (path, file) in machine.containers[cluster.containerName(host)]?.files ?? [:] { files[path] = file }
        return files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Every inventory host's files, by `<host>/<path without its leading slash>`, in inventory order.
    public static func tree(of world: World, cluster: Cluster) -> [(relative: String, text: String)] {
        var tree: [(relative: String, text: String)] = []
        for host in cluster.hosts {
            let directory = component(host.name)
            for (path, file) in files(of: host, in: world, cluster: cluster) {
                let parts = path.split(separator: "/").map { component(String($0)) }
                tree.append((([directory] + parts).joined(separator: "/"), file.content))
            }
        }
        return tree
    }

    /// A host name or path component as one directory entry that stays where it is written: `.` and `..`
    /// (which the static rules refuse, but a rehearsal still runs with) and `/` are percent-encoded.
    static func component(_ name: String) -> String {
        switch name {
        case ".": return "%2E"
        case "..": return "%2E%2E"
        default:
            guard name.contains("/") || name.contains("%") else { return name }
            return name.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
        }
    }

    /// `directory` with one trailing slash, so that `/data/log` does not cover `/data/logs`.
    private static func directoryPrefix(_ directory: String) -> String {
        let trimmed = PathText.trimmed(directory)
        return trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
    }
}
