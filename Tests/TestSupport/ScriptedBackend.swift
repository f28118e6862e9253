import Core

/// A `Backend` that answers from a script instead of performing anything: for tests of the runner and the
/// orchestration. Every task it receives is kept, in order; a task the script does not answer succeeds
/// with one empty record per operation.
public final class ScriptedBackend: Backend, @unchecked Sendable {
    /// The answer for a task, or nil for plain success.
    public typealias Script = (HostTask) -> HostOutcome?

    private let script: Script
    public private(set) var received: [HostTask] = []
    public private(set) var closeCount = 0

    public init(_ script: @escaping Script = { _ in nil }) { self.script = script }

    public func perform(_ tasks: [HostTask]) -> [HostOutcome] {
        received += tasks
        return tasks.map { script($0) ?? Self.success($0, stdout: Self.defaultOutput($0)) }
    }

    /// What a healthy host prints for the operations whose output later steps read: an interface for the
    /// default route; nothing otherwise (no containers, no files found).
    public static func defaultOutput(_ task: HostTask) -> String {
        task.operations.contains(.defaultRouteInterface) ? "eth0\n" : ""
    }

    public func close() { closeCount += 1 }

    /// Success, each operation recorded with `stdout` (what registering steps read).
    public static func success(_ task: HostTask, stdout: String = "") -> HostOutcome {
        HostOutcome(host: task.target.name, status: .ok,
                    records: task.operations.map { _ in OperationRecord(exitStatus: 0, stdout: stdout) }, duration: 1)
    }

    public static func failure(_ task: HostTask, _ status: HostStatus = .failed, message: String = "scripted failure") -> HostOutcome {
        HostOutcome(host: task.target.name, status: status, message: message, duration: 1)
    }

    /// The ids of the steps that sent the host operations, in order.
    public func steps(on host: String) -> [String] {
        received.filter { $0.target.host?.name == host && !$0.operations.isEmpty }.map(\.step.id)
    }
}
