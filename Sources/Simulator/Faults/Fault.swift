import Core

/// A fault injected into the simulated world. Step faults hit a host when a step (by id or tag) reaches
/// it; state faults describe the machine from the start.
public enum Fault: Sendable, Hashable {
    /// The host cannot be reached from the step on.
    case unreachable(host: String, step: String)
    /// SSH authentication fails from the step on.
    case authFailure(host: String, step: String)
    /// The step's command exits with `code`, printing `stderr`.
    case exit(host: String, step: String, code: Int32, stderr: String)
    /// The step's command never returns.
    case timeout(host: String, step: String)
    /// The image is not on the machine and pulling it fails.
    case imageMissing(host: String)
    /// An NPU device is not present.
    case npuAbsent(host: String, device: Int)
    /// An NPU device is held by another process.
    case npuBusy(host: String, device: Int)
    /// A foreign process already listens on the port.
    case portBusy(host: String, port: Int)
    /// Writes under the path fail with "No space left on device".
    case diskFull(host: String, path: String)
    /// MODEL_PATH does not exist on the machine.
    case modelMissing(host: String)

    /// The fault a scenario states; nil when a field its kind needs is missing (the loader refuses those).
    public init?(_ spec: ScenarioFault) {
        let host = spec.host
        switch spec.kind {
        case .unreachable: guard let step = spec.step else { return nil }; self = .unreachable(host: host, step: step)
        case .authFailure: guard let step = spec.step else { return nil }; self = .authFailure(host: host, step: step)
        case .exit: guard let step = spec.step else { return nil }; self = .exit(host: host, step: step, code: spec.exitCode, stderr: spec.stderr)
        case .timeout: guard let step = spec.step else { return nil }; self = .timeout(host: host, step: step)
        case .imageMissing: self = .imageMissing(host: host)
        case .npuAbsent: guard let device = spec.device else { return nil }; self = .npuAbsent(host: host, device: device)
        case .npuBusy: guard let device = spec.device else { return nil }; self = .npuBusy(host: host, device: device)
        case .portBusy: guard let port = spec.port else { return nil }; self = .portBusy(host: host, port: port)
        case .diskFull: guard let path = spec.path else { return nil }; self = .diskFull(host: host, path: path)
        case .modelMissing: self = .modelMissing(host: host)
        }
    }

    /// Every fault a scenario states.
    public static func all(of scenario: Scenario) -> [Fault] { scenario.faults.compactMap(Fault.init) }

    public var host: String {
        switch self {
        case .unreachable(let h, _), .authFailure(let h, _), .exit(let h, _, _, _), .timeout(let h, _), .imageMissing(let h),
             .npuAbsent(let h, _), .npuBusy(let h, _), .portBusy(let h, _), .diskFull(let h, _), .modelMissing(let h):
            return h
        }
    }

    /// The step id or tag of a step fault; nil for state faults.
    public var step: String? {
        switch self {
        case .unreachable(_, let s), .authFailure(_, let s), .exit(_, let s, _, _), .timeout(_, let s): return s
        default: return nil
        }
    }

    /// Whether the fault cuts the host off (it cannot be reached or logged in to).
    public var cutsOff: Bool {
        switch self {
        case .unreachable, .authFailure: return true
        default: return false
        }
    }

    /// What a step fault makes of the task on its host; nil for state faults.
    func outcome(of task: HostTask) -> HostOutcome? {
        guard let host = task.target.host else { return nil }
        switch self {
        case .unreachable:
            return HostOutcome(host: host.name, status: .unreachable, duration: 10).with(
                "UNREACHABLE: cannot connect to \(host.address):\(host.ssh.port) (injected fault)")
        case .authFailure:
            return HostOutcome(host: host.name, status: .unreachable, duration: 1).with(
                "authentication failed for \(host.ssh.user)@\(host.address) (injected fault)")
        case .exit(_, _, let code, let stderr):
            let record = OperationRecord(exitStatus: code, stderr: stderr, duration: 1)
            let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
            return HostOutcome(host: host.name, status: .failed, message: "exit \(code): \(last)", records: [record], duration: 1)
        case .timeout:
            return HostOutcome(host: host.name, status: .timedOut, duration: task.timeout).with(
                "no answer within \(Int(task.timeout)) s (injected fault)")
        case .imageMissing, .npuAbsent, .npuBusy, .portBusy, .diskFull, .modelMissing:
            return nil
        }
    }

    /// How a state fault changes the machine before the run; step faults leave it alone.
    func apply(to machine: Machine, settings: DeploymentSettings) {
        switch self {
        case .imageMissing:
            machine.images.remove(settings.dockerImageID)
            machine.pullable = false
        case .npuAbsent(_, let device): machine.npus[device] = nil
        case .npuBusy(_, let device): machine.busyNPUs.insert(device)
        case .portBusy(_, let port):
            _ = machine.start(SimProcess(pid: 0, command: "foreign-listener :\(port)", container: nil, ports: [port], readyAt: 0))
        case .diskFull(_, let path): machine.fullPaths.append(path)
        case .modelMissing:
            machine.removeContents(of: settings.modelPath)
            machine.files.removeDirectory(settings.modelPath)
        case .unreachable, .authFailure, .exit, .timeout:
            break
        }
    }
}

private extension HostOutcome {
    func with(_ message: String) -> HostOutcome {
        var outcome = self
        outcome.message = message
        return outcome
    }
}
