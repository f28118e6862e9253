import Foundation

/// Replays the container commands one host received under real bash, in a sandbox, and records every program
/// they start. `docker` is a stand-in that keeps each container's `-e` environment and runs `docker exec`
/// commands in it; git, pip, python, ray, etcd and mooncake_master are recorders, and so is `pd_run.sh`.
/// The reference's recorded launches were made the same way, so the two can be compared entry by entry.
///
/// The sandbox lives in a temporary directory: every absolute path under the deployment's roots (`/tmp`,
/// `/data`, `/workspace`, `/usr/local/Ascend`) is moved under it in the commands and files given, once,
/// and the recorders move it back, so what is recorded reads as it would on the host.
public enum LaunchReplay {
    public struct Start: Equatable, CustomStringConvertible, Sendable {
        public var tool: String
        public var argv: [String]
        /// `~` for the container's working directory (`docker run -w /data`).
        public var cwd: String
        public var env: [String: String]
        public var bashrcSourced: Bool

        public init(tool: String, argv: [String], cwd: String, env: [String: String], bashrcSourced: Bool) {
            self.tool = tool
            self.argv = argv
            self.cwd = cwd
            self.env = env
            self.bashrcSourced = bashrcSourced
        }

        public var description: String { "\(tool) \(argv) in \(cwd)\(bashrcSourced ? " (bashrc)" : "")" }
    }

    /// Variables the replay leaves out of each recorded environment, each with the reason.
    public static let ignoredVariables: [String: String] = [
        "PATH": "the sandbox puts its recorders first on PATH",
        "HOME": "the sandbox has its own home, whose .bashrc marks that it was sourced",
        "PWD": "set by bash itself; the start's directory is compared as cwd",
        "OLDPWD": "set by bash's cd",
        "SHLVL": "bash's nesting depth",
        "_": "bash's last argument",
        "OMNISIM_REPLAY_ROOT": "the sandbox's own location",
        "OMNISIM_REPLAY_BASHRC": "the marker the sandbox's .bashrc sets",
        "LANG": "locale variables are left out of the reference's records",
        "LC_ALL": "locale variables are left out of the reference's records",
        "LC_CTYPE": "locale variables are left out of the reference's records",
    ]

    /// Scripts of the code tree that the sandbox replaces by one line handing their arguments to the python
    /// recorder, as the reference's sandbox did (its records show them as `python` with the script's
    /// arguments, in the script's directory).
    public static let stubScripts = [
        "workspace/omniinfer/infer_engines/bash_install_code.sh",
        "workspace/omniinfer/omni/adaptors/lmcache/script/install.sh",
        "workspace/omniinfer/tools/scripts/global_proxy.sh",
    ]

    /// Container commands that the replay skips, with the reason.
    public static let skippedScripts = [
        "kill_python_processes.sh": "kills processes by name: the reference's records do not run kill scripts",
        "kill_ray_processes.sh": "kills processes by name: the reference's records do not run kill scripts",
        "kill_nginx_processes.sh": "kills processes by name: the reference's records do not run kill scripts",
    ]

    static let roots = ["/usr/local/Ascend", "/workspace", "/data", "/tmp"]

    /// Runs `commands` (the docker commands one host received, in order: `docker run`, `docker exec`, `docker
    /// cp`) with `files` (absolute path → content) and `directories` present on the host, and returns the
    /// program starts in order.
    /// `hostRoot`, when given, is a directory under which the host kept the deployment's paths (loopback
    /// test hosts sharing one machine); it is removed from every path first.
    public static func run(commands: [String], files: [String: String], directories: [String], hostRoot: String? = nil) throws -> [Start] {
        if let hostRoot {
            let strip = { (s: String) in s.replacingOccurrences(of: hostRoot, with: "") }
            return try run(commands: commands.map(strip), files: Dictionary(files.map { (strip($0.key), strip($0.value)) }, uniquingKeysWith: { $1 }),
                           directories: directories.map(strip))
        }
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("omnisim-replay-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: root) }
        func write(_ relative: String, _ text: String, executable: Bool = false) throws {
            let path = root + "/" + relative
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            if executable { try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        }
        for dir in ["data", "root", ".bin", ".records", ".containers", "workspace/omniinfer/infer_engines/vllm"] + directories.map(relative) {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        try write("root/.bashrc", "export OMNISIM_REPLAY_BASHRC=1\n")
        for tool in ["git", "pip", "python", "ray", "etcd", "mooncake_master"] { try write(".bin/" + tool, recorder, executable: true) }
        try write("workspace/omniinfer/tools/scripts/pd_run.sh", recorder, executable: true)
        try write("workspace/omniinfer/tools/scripts/bind_cpu.sh", "#!/bin/bash\n")
        for stub in stubScripts { try write(stub, "python \"$@\"\n", executable: true) }
        try write(".bin/docker", docker, executable: true)
        for (path, content) in files { try write(relative(path), rewrite(content, root: root), executable: true) }

        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", rewrite(command, root: root)]
            process.environment = ["PATH": root + "/.bin:/usr/bin:/bin", "OMNISIM_REPLAY_ROOT": root, "HOME": root + "/root"]
            process.currentDirectoryURL = URL(fileURLWithPath: root)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        return try records(root)
    }

    static func relative(_ path: String) -> String {
        String(path.drop(while: { $0 == "/" }))
    }

    /// `text` with every absolute path under one of `roots` moved under the sandbox.
    static func rewrite(_ text: String, root: String) -> String {
        let alternatives = roots.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        let regex = try! NSRegularExpression(pattern: "(?<![A-Za-z0-9_./-])(\(alternatives))(?=/|$|[^A-Za-z0-9_.-])")
        let range = NSRange(text.startIndex..., in: text)
        return regex.stringByReplacingMatches(in: text, range: range,
                                              withTemplate: NSRegularExpression.escapedTemplate(for: root) + "$1")
    }

    static func records(_ root: String) throws -> [Start] {
        let fm = FileManager.default
        let dir = root + "/.records"
        func strip(_ s: String) -> String { s.replacingOccurrences(of: root, with: "") }
        func fields(_ name: String, in record: String) throws -> [String] {
            let data = try Data(contentsOf: URL(fileURLWithPath: record + "/" + name))
            var items = String(decoding: data, as: UTF8.self).components(separatedBy: "\u{0}")
            if items.last == "" { items.removeLast() }
            return items
        }
        return try fm.contentsOfDirectory(atPath: dir).sorted().map { id in
            let record = dir + "/" + id
            var env: [String: String] = [:]
            var bashrc = false
            for item in try fields("env", in: record) {
                guard let eq = item.firstIndex(of: "=") else { continue }
                let name = String(item[..<eq]), value = String(item[item.index(after: eq)...])
                if name == "OMNISIM_REPLAY_BASHRC" { bashrc = true }
                if ignoredVariables[name] == nil { env[name] = strip(value) }
            }
            let cwd = strip(try fields("cwd", in: record).first ?? "")
            return Start(tool: try fields("tool", in: record).first ?? "", argv: try fields("argv", in: record).map(strip),
                         cwd: cwd == "/data" ? "~" : cwd, env: env, bashrcSourced: bashrc)
        }
    }

    /// Records one start: tool name, directory, arguments and environment, NUL-separated.
    static let recorder = """
    #!/bin/bash
    d=$(printf '%s/.records/%06d' "$OMNISIM_REPLAY_ROOT" "$(ls "$OMNISIM_REPLAY_ROOT/.records" | wc -l)")
    mkdir -p "$d"
    printf '%s\\0' "${0##*/}" > "$d/tool"
    printf '%s\\0' "$PWD" > "$d/cwd"
    : > "$d/argv"
    for a in "$@"; do printf '%s\\0' "$a" >> "$d/argv"; done
    env -0 > "$d/env"

    """

    /// `docker` for the replay: `run` keeps the container's -e environment, `exec` runs its command in that
    /// environment (plus its own -e values) in the container's working directory, in the foreground so the
    /// order is the order the host received; `cp`, `inspect`, `stop` and `rm` do nothing. A container that an
    /// earlier run created has no recorded environment here, as in the reference's records.
    static let docker = """
    #!/bin/bash
    root=$OMNISIM_REPLAY_ROOT
    sub=$1; shift
    case "$sub" in
      run)
        name=""; envs=()
        while [ $# -gt 0 ]; do
          case "$1" in --name) name=$2; shift ;; -e) envs+=("$2"); shift ;; -v|-w|-u) shift ;; esac
          shift
        done
        : > "$root/.containers/$name"
        for e in "${envs[@]}"; do printf '%s\\0' "$e" >> "$root/.containers/$name"; done ;;
      exec)
        envs=(); cenv=()
        while [ $# -gt 0 ]; do
          case "$1" in -e) envs+=("$2"); shift ;; -d|-i|-t|-it) ;; *) break ;; esac
          shift
        done
        name=$1; shift
        if [ -f "$root/.containers/$name" ]; then
          while IFS= read -r -d '' e; do cenv+=("$e"); done < "$root/.containers/$name"
        fi
        case "$*" in *kill_python_processes.sh|*kill_ray_processes.sh|*kill_nginx_processes.sh) exit 0 ;; esac
        cd "$root/data" || exit 1
        exec env -i HOME="$root/root" PATH="$root/.bin:/usr/bin:/bin" OMNISIM_REPLAY_ROOT="$root" "${cenv[@]}" "${envs[@]}" "$@" ;;
    esac
    exit 0

    """
}

/// The reference's recorded launches (Tests/Golden/launch), and the comparison with replayed ones.
public enum GoldenLaunches {
    public static let directory = Golden.root.path

    struct Entry: Decodable {
        var tool: String, argv: [String], cwd: String, env: [String: String], bashrc_sourced: Bool
    }

    /// One recorded run: inventory host → its program starts in order.
    public static func load(_ file: String) throws -> [String: [LaunchReplay.Start]] {
        struct Run: Decodable { var hosts: [String: [Entry]] }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/launch/" + file))
        return try JSONDecoder().decode(Run.self, from: data).hosts.mapValues { list in
            list.map { LaunchReplay.Start(tool: $0.tool, argv: $0.argv, cwd: $0.cwd, env: $0.env, bashrcSourced: $0.bashrc_sourced) }
        }
    }

    /// Every difference between `ours` and the reference's starts of one host, entry by entry: the count,
    /// then per entry the tool and argv exactly, the directory, `~/.bashrc`, and each variable.
    public static func differences(_ host: String, ours: [LaunchReplay.Start], reference: [LaunchReplay.Start]) -> [String] {
        var found: [String] = []
        if ours.count != reference.count {
            found.append("\(host): \(ours.count) starts, the reference has \(reference.count):\n  ours: \(ours.map(\.description))\n  reference: \(reference.map(\.description))")
        }
        for (i, (o, g)) in zip(ours, reference).enumerated() {
            let at = "\(host) start \(i + 1) (\(g.tool) \(g.argv.prefix(3)))"
            if o.tool != g.tool || o.argv != g.argv { found.append("\(at): \(o.tool) \(o.argv)\n  reference: \(g.tool) \(g.argv)") }
            if o.cwd != g.cwd { found.append("\(at): runs in \(o.cwd), the reference in \(g.cwd)") }
            if o.bashrcSourced != g.bashrcSourced { found.append("\(at): ~/.bashrc sourced \(o.bashrcSourced), the reference \(g.bashrcSourced)") }
            for name in Set(o.env.keys).union(g.env.keys).sorted() where o.env[name] != g.env[name] {
                found.append("\(at): \(name)=\(o.env[name] ?? "(unset)"), the reference has \(g.env[name] ?? "(unset)")")
            }
        }
        return found
    }
}
