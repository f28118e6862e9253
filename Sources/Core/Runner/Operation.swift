/// One concrete thing a step does on one host, as typed data with every value already resolved. Both
/// backends consume the same values: the SSH backend sends `command` (or moves the files), the simulator
/// applies the values to its model of the machines. Nothing about paths, environment, filters or ports is
/// decided after rendering.
public enum Operation: Sendable, Hashable {
    /// Connect to the target host and verify its host key, running nothing.
    case connect
    /// `docker run -d` a container.
    case runContainer(ContainerRun)
    /// `docker exec` a program in a container.
    case exec(ContainerExec)
    /// Stop and remove whichever of these containers exist.
    case removeContainers([String])
    /// Print the names of whichever of these containers exist, one per line.
    case listContainers([String])
    /// `docker cp` a host directory into a container.
    case copyIntoContainer(source: String, container: String, destination: String)
    /// `mkdir -p` on the host.
    case makeDirectory(String)
    /// Remove everything inside a directory on the host, keeping the directory.
    case clearDirectory(String)
    /// Remove one file on the host if it exists.
    case removeFile(String)
    /// Print the full paths of the files in a directory whose names match, one per line.
    case findFiles(FileQuery)
    /// Print the name of the interface of the IPv4 default route.
    case defaultRouteInterface
    /// Kill every process that listens on the TCP port on the host itself.
    case killPortOwner(Int)
    /// Write `content` to `path` on the target host with the given permission bits.
    case writeFile(path: String, content: String, mode: Int)
    /// Copy a directory tree from the executor to the host (rsync-like: changed files only, modes kept).
    /// Like rsync's trailing slash: `contentsOnly` puts what is inside `localPath` into `remotePath`;
    /// otherwise the directory itself lands in `remotePath` (as `remotePath/<last component>`).
    case pushTree(localPath: String, remotePath: String, contentsOnly: Bool)
    /// Copy one file from the host to the executor.
    case fetchFile(remotePath: String, localPath: String)
    /// Copy a directory tree from the host to the executor; `contentsOnly` as for `pushTree`.
    case pullTree(remotePath: String, localPath: String, contentsOnly: Bool)
    /// On the executor: empty a directory (creating it if needed), then create the given subdirectories.
    case resetLocalDirectory(String, subdirectories: [String])
    /// On the executor: `mkdir -p`.
    case makeLocalDirectory(String)
    /// Poll until every port accepts TCP connections on the host, or fail after `timeoutSeconds`.
    case waitForPorts(host: String, ports: [Int], timeoutSeconds: Int)
    /// Poll until no port accepts TCP connections on the host any more, or fail after `timeoutSeconds`.
    case waitForPortsClosed(host: String, ports: [Int], timeoutSeconds: Int)
    /// Poll a file in a container until it holds a line with `text`, or fail after `timeoutSeconds`.
    case waitForLogLine(LogWait)
    /// A command line with no model: no step renders it, the simulator refuses it, and the SSH backend runs
    /// it as written. For tests of the SSH path.
    case shell(String)

    /// Where the operation's command runs.
    public enum Place: Sendable, Hashable {
        /// On the target host, over its connection.
        case host
        /// On the machine running omnisim.
        case executor
        /// Not a command: a file transfer, a probe or the connection itself.
        case none
    }

    public var place: Place {
        switch self {
        case .connect, .writeFile, .pushTree, .fetchFile, .pullTree, .waitForPorts, .waitForPortsClosed: return .none
        case .resetLocalDirectory, .makeLocalDirectory: return .executor
        default: return .host
        }
    }

    /// A one-line human form for transcripts and JUnit output: the command for commands.
    public var summary: String {
        switch self {
        case .connect: return "connect and verify the host key"
        case .writeFile(let p, let content, let mode): return "write \(p) (mode \(String(mode, radix: 8)), \(content.utf8.count) bytes)"
        case .pushTree(let l, let r, let c): return "push \(l)\(c ? "/" : "") -> \(r)"
        case .fetchFile(let r, let l): return "fetch \(r) -> \(l)"
        case .pullTree(let r, let l, let c): return "pull \(r)\(c ? "/" : "") -> \(l)"
        case .waitForPorts(let h, let ports, let t): return "wait for \(h) ports \(ports.map(String.init).joined(separator: ",")) (\(t)s)"
        case .waitForPortsClosed(let h, let ports, let t):
            return "wait until \(h) ports \(ports.map(String.init).joined(separator: ",")) are closed (\(t)s)"
        default:
            let text = command ?? ""
            return place == .executor ? "local: " + text : text
        }
    }
}

/// What one operation of a host's task produced. A task's records follow its operations in order (the
/// i-th record is the i-th operation's) and end at the first that failed; the record does not repeat its
/// operation, which a large run would otherwise hold twice.
public struct OperationRecord: Sendable, Hashable {
    public var exitStatus: Int32
    public var stdout: String
    public var stderr: String
    /// Seconds: wall time for real hosts, virtual time in the simulator.
    public var duration: Double

    public init(exitStatus: Int32, stdout: String = "", stderr: String = "", duration: Double = 0) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }
}
