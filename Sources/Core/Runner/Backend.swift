/// Where a task runs: on an inventory host, or on the executor (the machine running omnisim), which is
/// not an inventory host whatever the inventory's hosts are called.
public enum TaskTarget: Sendable {
    case host(Host)
    case executor

    /// The name results and reports show: the host's name, or `localhost` for the executor, as ansible
    /// names the control node.
    public var name: String {
        switch self {
        case .host(let host): return host.name
        case .executor: return "localhost"
        }
    }

    public var host: Host? {
        if case .host(let host) = self { return host }
        return nil
    }

    public var isExecutor: Bool { host == nil }
}

/// One step to perform on one host, or on the executor.
public struct HostTask: Sendable {
    public var step: Step
    public var target: TaskTarget
    /// The step's operations rendered for this target, in order. Stop at the first that fails.
    public var operations: [Operation]
    /// Upper bound for the whole task, in seconds.
    public var timeout: Double

    public init(step: Step, target: TaskTarget, operations: [Operation], timeout: Double) {
        self.step = step
        self.target = target
        self.operations = operations
        self.timeout = timeout
    }
}

public enum HostStatus: String, Sendable, Hashable, Codable {
    case ok
    case failed
    /// The host could not be reached or authenticated: no operation ran.
    case unreachable
    case timedOut = "timed-out"
    case interrupted
}

/// What happened when a backend performed a `HostTask`.
public struct HostOutcome: Sendable {
    public var host: String
    public var status: HostStatus
    /// Why it failed, in one line; nil on success.
    public var message: String?
    public var records: [OperationRecord]
    /// Seconds, real or virtual.
    public var duration: Double

    public init(host: String, status: HostStatus, message: String? = nil, records: [OperationRecord] = [], duration: Double = 0) {
        self.host = host
        self.status = status
        self.message = message
        self.records = records
        self.duration = duration
    }
}

/// Performs steps on hosts. The simulator applies each step's typed action to its model of the machines;
/// the SSH backend runs the rendered operations on real hosts.
public protocol Backend: AnyObject {
    /// Performs one step on every host in `tasks` (possibly in parallel) and returns one outcome per task,
    /// in the same order. Returns only when all of them have finished.
    func perform(_ tasks: [HostTask]) -> [HostOutcome]
    /// Releases connections and other resources. Called once after the last step.
    func close()
}
