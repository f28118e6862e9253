/// The commands `omnisim probe` runs on a machine, as data: a fixed list of commands that only read. Every
/// value in them is quoted. Nothing outside this file decides what a probe sends.
public enum ProbeCommands {
    /// What a probe asks a machine, in order.
    public enum Question: String, Sendable, CaseIterable {
        /// Device mapping: NPU, chip and the logic id that ASCEND_RT_VISIBLE_DEVICES uses.
        case npuMap = "npu-map"
        /// NPU summary with the table of processes holding NPUs.
        case npuProcesses = "npu-processes"
        case images
        case containers
        /// TCP listeners with their processes.
        case listening
        /// Which listening pids run inside a container (their cgroup names the container id).
        case containerPids = "container-pids"
        case freeSpace = "free-space"
        case model
        case defaultRoute = "default-route"
    }

    /// The command for `question`; `paths` are the directories whose free space is read, `model` is
    /// MODEL_PATH, `pids` the listening processes to place in containers.
    public static func command(_ question: Question, paths: [String] = [], model: String = "", pids: [Int] = []) -> String {
        let q = Shell.quote
        switch question {
        case .npuMap: return "npu-smi info -m"
        case .npuProcesses: return "npu-smi info"
        case .images: return "docker images --format '{{.Repository}}:{{.Tag}}'"
        case .containers: return "docker ps -a --no-trunc --format '{{.ID}}\\t{{.Names}}\\t{{.Image}}\\t{{.State}}'"
        case .listening: return "ss -ltnpH"
        case .containerPids:
            // One line per pid: the pid, then its cgroup lines joined (a container's name its full id).
            return "for p in \(pids.map(String.init).joined(separator: " ")); do printf '%s ' \"$p\"; tr '\\n' ' ' < /proc/\"$p\"/cgroup 2>/dev/null; echo; done"
        case .freeSpace:
            // The nearest existing directory of each path, so a path not created yet reports its file system.
            let words = paths.map(q).joined(separator: " ")
            return "for p in \(words); do d=$p; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; printf '%s ' \"$p\"; df -Pk -- \"$d\" | tail -1; done"
        case .model:
            return "if [ -f \(q(model + "/config.json")) ]; then du -sk -- \(q(model)); else echo missing; fi"
        case .defaultRoute: return "ip -4 route list 0/0"
        }
    }

    /// `hccn_tool -i <device> -ip -g` for each device: the device IPs the ranktables carry.
    public static func deviceIPs(_ devices: [Int]) -> String {
        devices.map { "echo device \($0); hccn_tool -i \($0) -ip -g" }.joined(separator: "; ")
    }
}
