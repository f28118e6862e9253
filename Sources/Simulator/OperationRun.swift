import Core

/// Applies one host's operations, in order, to the model of its machine: the same typed values the SSH
/// backend turns into commands. One record per operation performed; the first failure stops the rest.
struct OperationRun {
    let backend: SimulatorBackend
    let task: HostTask
    let machine: Machine
    /// The target's name, which owns the processes the task starts.
    let name: String
    private var records: [OperationRecord] = []
    var failure: (status: HostStatus, message: String)?
    /// What the programs reported, for the invariant checkers.
    private(set) var observations: [Observation] = []

    var executor: Machine { backend.world.executor }

    init(backend: SimulatorBackend, task: HostTask, machine: Machine) {
        self.backend = backend
        self.task = task
        self.machine = machine
        self.name = task.target.name
        records.reserveCapacity(task.operations.count)
    }

    /// Virtual time now: the step's start plus what this host's operations took so far.
    var now: Double { backend.clock + records.reduce(0) { $0 + $1.duration } }

    func outcome() -> HostOutcome {
        HostOutcome(host: name, status: failure?.status ?? .ok, message: failure?.message, records: records,
                    duration: records.reduce(0) { $0 + $1.duration })
    }

    mutating func apply() {
        for operation in task.operations {
            guard failure == nil else { return }
            apply(operation)
        }
    }

    // MARK: Recording

    /// Records the current operation as successful.
    mutating func ok(_ stdout: String = "", _ duration: Double = 0.2) {
        guard failure == nil else { return }
        records.append(OperationRecord(exitStatus: 0, stdout: stdout, duration: duration))
    }

    /// Records the current operation as failed; later operations are not run.
    mutating func fail(_ exit: Int32, _ stderr: String, message: String? = nil, status: HostStatus = .failed, duration: Double = 0.2) {
        guard failure == nil else { return }
        records.append(OperationRecord(exitStatus: exit, stderr: stderr, duration: duration))
        failure = (status, message ?? "exit \(exit): \(stderr)")
    }

    /// A program started in the background that does not come up: the command that started it returns 0
    /// all the same; the invariant checkers judge the step afterwards.
    mutating func startFailed(_ program: String, _ reason: String) {
        guard failure == nil else { return }
        observations.append(.startFailed(program: program, reason: reason))
        ok("", 1)
    }

    mutating func observe(_ observation: Observation) { observations.append(observation) }

    // MARK: Dispatch

    private mutating func apply(_ operation: Operation) {
        switch operation {
        case .connect: ok("", 0.2)
        case .runContainer(let run): runContainer(run)
        case .exec(let exec): self.exec(exec)
        case .removeContainers(let names):
            for name in names where machine.containers[name] != nil {
                machine.containers[name] = nil
                _ = machine.kill { $0.container == name }
            }
            ok("", 2)
        case .listContainers(let names):
            ok(names.filter { machine.containers[$0] != nil }.joined(separator: "\n"), 0.3)
        case .copyIntoContainer(let source, let container, let destination):
            copyIntoContainer(source, container, destination)
        case .makeDirectory(let path):
            if machine.isFull(path) && !machine.isDirectory(path) {
                return fail(1, "mkdir: cannot create directory '\(path)': No space left on device")
            }
            machine.makeDirectories(path)
            ok()
        case .clearDirectory(let path):
            machine.removeContents(of: path)
            ok()
        case .removeFile(let path):
            machine.files[path] = nil
            ok()
        case .findFiles(let query):
            let base = query.directory.hasSuffix("/") ? query.directory : query.directory + "/"
            let found = machine.files.fileNames(in: query.directory, where: { query.matches(fileName: $0) }).map { base + $0 }
            observe(.filesFound(query, found))
            ok(found.joined(separator: "\n"), 0.3)
        case .defaultRouteInterface:
            ok(machine.spec.interface.isEmpty ? "" : machine.spec.interface + "\n", 0.1)
        case .killPortOwner(let port):
            _ = machine.kill { $0.ports.contains(port) }
            ok()
        case .writeFile(let path, let content, let mode):
            if let error = machine.write(path, content, mode: mode) { fail(1, error) } else { ok("", 0.3) }
        case .fetchFile(let remote, let local):
            guard let file = machine.files[remote] else { return fail(1, "file not found: \(remote)") }
            executor.files[local] = file  // creates the missing directories on the way
            ok("", 1)
        case .pullTree(let remote, let local, let contentsOnly):
            copyTree(from: machine, remote, to: executor, local, contentsOnly: contentsOnly)
            ok("", 1)
        case .pushTree(let local, let remote, let contentsOnly):
            guard executor.isDirectory(local) else {
                return fail(23, "rsync: change_dir \"\(local)\" failed: No such file or directory (2)",
                            message: "the executor has nothing at \(local) to send")
            }
            if machine.isFull(remote) { return fail(11, "rsync: write failed on \"\(remote)\": No space left on device (28)") }
            copyTree(from: executor, local, to: machine, remote, contentsOnly: contentsOnly)
            ok("", 1)
        case .resetLocalDirectory(let root, let subdirectories):
            executor.removeContents(of: root)
            for directory in subdirectories { executor.makeDirectories(root + "/" + directory) }
            ok()
        case .makeLocalDirectory(let path):
            executor.makeDirectories(path)
            ok()
        case .waitForPorts(_, let ports, let timeout): waitForPorts(ports, timeout: timeout)
        case .waitForPortsClosed(_, let ports, let timeout):
            if let port = ports.first(where: { machine.owner(of: $0) != nil }) {
                fail(1, "port \(port) on \(machine.address) is still open after \(timeout) s (held by '\(machine.owner(of: port)!.command)')",
                     status: .timedOut, duration: Double(timeout))
            } else {
                ok("", 0.2)
            }
        case .waitForLogLine(let wait): waitForLogLine(wait)
        case .shell(let command): fail(126, "the rehearsal has no model of '\(command)'")
        }
    }

    // MARK: Containers

    /// A container that `docker exec` and `docker cp` can use; nil after recording the failure.
    mutating func runningContainer(_ name: String) -> SimContainer? {
        guard let c = machine.containers[name] else {
            fail(1, "Error response from daemon: No such container: \(name)")
            return nil
        }
        return c
    }

    private mutating func runContainer(_ run: ContainerRun) {
        if machine.containers[run.name] != nil {
            return fail(125, "docker: Error response from daemon: Conflict. The container name \"/\(run.name)\" is already in use.")
        }
        if !machine.images.contains(run.image) {
            guard machine.pullable else {
                return fail(125, "Unable to find image '\(run.image)' locally\ndocker: Error response from daemon: pull access denied for \(run.image), repository does not exist or may require 'docker login'",
                            duration: 5)
            }
            machine.images.insert(run.image)
        }
        // docker creates a missing bind-mount source as a directory.
        for mount in run.mounts where !machine.exists(mount) {
            if machine.isFull(mount) { return fail(125, "docker: Error response from daemon: mkdir \(mount): no space left on device") }
            machine.makeDirectories(mount)
        }
        var env: [String: String] = [:]
        for variable in run.environment { env[variable.name] = variable.value }
        machine.containers[run.name] = SimContainer(name: run.name, image: run.image, env: env, mounts: run.mounts)
        ok(Self.containerID, 3)
    }

    /// What `docker run -d` prints: the new container's id.
    static let containerID = String(repeating: "f", count: 64) + "\n"

    private mutating func copyIntoContainer(_ source: String, _ container: String, _ destination: String) {
        guard runningContainer(container) != nil else { return }
        guard machine.files.hasFiles(under: source) else {
            return fail(1, "Error: No such container:path: \(source) does not exist on the host")
        }
        // The code the later steps use is the checkout copied to its place in the container.
        let landed = (destination.hasSuffix("/") ? destination : destination + "/") + Paths.fileName(source)
        if landed == Paths.containerCode { machine.containers[container]!.hasCode = true }
        ok("", 5)
    }

    // MARK: Transfers

    /// Both sides share the copied tree. Summaries show a large one as one entry, and list a small one's
    /// files (such as a host's logs) so the executor does not collect one tree entry per host.
    private func copyTree(from: Machine, _ source: String, to: Machine, _ target: String, contentsOnly: Bool) {
        let base = contentsOnly ? target : target + "/" + Paths.fileName(source)
        let tree = from.files.snapshot(of: source)
        if tree.fileCount > 32 {
            to.files.mount(tree, at: base)
        } else {
            to.files.copy(tree, into: base)
        }
    }

    // MARK: Waits

    /// Waits until every port is served by this host's processes and they are ready.
    mutating func waitForPorts(_ ports: [Int], timeout: Int) {
        var ready = now
        for port in ports {
            guard let owner = machine.owner(of: port), owner.host == name || owner.container == nil else {
                let other = machine.owner(of: port).map { " (held by '\($0.command)')" } ?? ""
                return fail(1, "port \(port) on \(machine.address) is not served by \(name)\(other) after \(timeout) s",
                            status: .timedOut, duration: Double(timeout))
            }
            if owner.container == nil && owner.host == nil {
                return fail(1, "port \(port) on \(machine.address) answers, but it belongs to a foreign process '\(owner.command)'",
                            duration: 1)
            }
            ready = max(ready, owner.readyAt)
        }
        let wait = ready - now
        if wait > Double(timeout) {
            return fail(1, "servers on \(machine.address) not ready within \(timeout) s", status: .timedOut, duration: Double(timeout))
        }
        ok("", max(wait, 0.2))
    }

    /// The first API server in the container logs "Application startup complete" once it listens.
    private mutating func waitForLogLine(_ wait: LogWait) {
        guard runningContainer(wait.container) != nil else { return }
        let timeout = Double(wait.timeoutSeconds)
        guard let first = machine.processes.filter({ $0.container == wait.container && $0.host == name && !$0.ports.isEmpty })
            .min(by: { $0.readyAt < $1.readyAt }) else {
            return fail(1, "Timeout waiting for service", duration: timeout)
        }
        let delay = max(0, first.readyAt - now)
        guard delay <= timeout else { return fail(1, "Timeout waiting for service", duration: timeout) }
        ok("", delay)
    }
}
