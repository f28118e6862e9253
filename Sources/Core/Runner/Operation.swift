/// One concrete thing a step does on one host, fully rendered. The SSH backend performs it as written;
/// the simulator records it in its transcript and applies the step's typed action to its model.
public enum Operation: Sendable, Hashable {
    /// Connect to the target host and verify its host key, running nothing.
    case connect
    /// Run `command` with `/bin/bash -c` on the target host. Every value in it is already shell-quoted.
    case shell(String)
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
    /// Run `command` with `/bin/bash -c` on the executor.
    case local(String)
    /// Poll until every port accepts TCP connections on the host, or fail after `timeoutSeconds`.
    case waitForPorts(host: String, ports: [Int], timeoutSeconds: Int)

    /// A one-line human form for transcripts and JUnit output.
    public var summary: String {
        switch self {
        case .connect: return "connect and verify the host key"
        case .shell(let c): return c
        case .writeFile(let p, let content, let mode): return "write \(p) (mode \(String(mode, radix: 8)), \(content.utf8.count) bytes)"
        case .pushTree(let l, let r, let c): return "push \(l)\(c ? "/" : "") -> \(r)"
        case .fetchFile(let r, let l): return "fetch \(r) -> \(l)"
        case .pullTree(let r, let l, let c): return "pull \(r)\(c ? "/" : "") -> \(l)"
        case .local(let c): return "local: \(c)"
        case .waitForPorts(let h, let ports, let t): return "wait for \(h) ports \(ports.map(String.init).joined(separator: ",")) (\(t)s)"
        }
    }
}

/// What one operation produced.
public struct OperationRecord: Sendable, Hashable {
    public var operation: Operation
    public var exitStatus: Int32
    public var stdout: String
    public var stderr: String
    /// Seconds: wall time for real hosts, virtual time in the simulator.
    public var duration: Double

    public init(operation: Operation, exitStatus: Int32, stdout: String = "", stderr: String = "", duration: Double = 0) {
        self.operation = operation
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
    }
}
