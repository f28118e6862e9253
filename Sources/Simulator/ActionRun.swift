/// Applies one step's action on one host to the model, producing one record per rendered operation.
struct ActionRun {
    let backend: SimulatorBackend
    let task: HostTask
    let machine: Machine
    private var records: [OperationRecord] = []
    var failure: (status: HostStatus, message: String)?

    let host: Host
    /// The host's container name, made on first use.
    private var containerNameCache: String?
    var containerName: String {
        mutating get {
            if let containerNameCache { return containerNameCache }
            let name = cluster.containerName(host)
            containerNameCache = name
            return name
        }
    }

    // The backend's immutable run state, borrowed in place rather than copied.
    var cluster: Cluster { _read { yield backend.cluster } }
    var settings: DeploymentSettings { _read { yield backend.cluster.settings } }
    var paths: Paths { _read { yield backend.paths } }
    var executor: Machine { backend.world.executor }

    init(backend: SimulatorBackend, task: HostTask, machine: Machine) {
        self.backend = backend
        self.task = task
        self.machine = machine
        self.host = task.host
        records.reserveCapacity(task.operations.count)
    }
    var now: Double { backend.clock + records.reduce(0) { $0 + $1.duration } }

    func outcome() -> HostOutcome {
        HostOutcome(host: host.name, status: failure?.status ?? .ok, message: failure?.message, records: records,
                    duration: records.reduce(0) { $0 + $1.duration })
    }

    private var nextOperation: Operation { task.operations[min(records.count, max(task.operations.count - 1, 0))] }

    /// Records the next operation as successful.
    mutating func ok(_ stdout: String = "", _ duration: Double = 0.2) {
        guard failure == nil, records.count < task.operations.count else { return }
        records.append(OperationRecord(operation: nextOperation, exitStatus: 0, stdout: stdout, duration: duration))
    }

    /// Records the next operation as failed; later operations are not run.
    mutating func fail(_ exit: Int32, _ stderr: String, message: String? = nil, status: HostStatus = .failed, duration: Double = 0.2) {
        guard failure == nil else { return }
        if !task.operations.isEmpty {
            records.append(OperationRecord(operation: nextOperation, exitStatus: exit, stderr: stderr, duration: duration))
        }
        failure = (status, message ?? "exit \(exit): \(stderr)")
    }

    /// A detached start that returned 0 but whose process cannot run: the seed would report success.
    mutating func silentFailure(_ reason: String) {
        guard failure == nil else { return }
        if records.count < task.operations.count {
            records.append(OperationRecord(operation: nextOperation, exitStatus: 0, duration: 1))
        }
        failure = (.failed, "the command returned 0, but \(reason) (the reference playbook reports success here)")
    }

    // MARK: Containers

    mutating func container() -> SimContainer? { machine.containers[containerName] }

    /// `docker exec` needs a running container; returns false after recording the failure.
    mutating func requireContainer() -> Bool {
        guard let c = container(), c.running else {
            fail(1, "Error response from daemon: No such container: \(containerName)")
            return false
        }
        return true
    }

    /// Fails unless the file exists.
    mutating func requireFile(_ path: String, on m: Machine? = nil) -> Bool {
        guard (m ?? machine).files[path] != nil else {
            fail(127, "/bin/bash: \(path): No such file or directory")
            return false
        }
        return true
    }

    // MARK: Dispatch

    mutating func apply() {
        switch task.step.action {
        case .setFacts: ok()
        case .connect: ok("", 0.2)
        case .removeContainers: removeContainers()
        case .inspectContainers:
            let names = settings.serverContainerNames(of: host.name)
            ok(names.filter { machine.containers[$0] != nil }.joined(separator: "\n"), 0.3)
        case .runContainer: runContainer()
        case .makeDirectory(let ref): makeDirectory(paths.resolve(ref, for: host))
        case .syncCode: syncCode()
        case .copyCodeIntoContainer: copyCode()
        case .pipInstall: pipInstall()
        case .prepareStaging:
            executor.removeContents(of: paths.ranktable)
            for d in ["global", "collect_files_d", "collect_files_p/api"] { executor.makeDirectories(paths.ranktable + "/" + d) }
            ok()
        case .clearDirectory(let ref):
            machine.removeContents(of: paths.resolve(ref, for: host))
            ok()
        case .writeFile:
            guard case .writeFile(let path, let content, let mode)? = task.operations.first else { return ok() }
            if let error = machine.write(path, content, mode: mode) { fail(1, error) } else { ok("", 0.3) }
        case .generateLocalRanktable: generateLocalRanktable()
        case .findLocalRanktables: findLocalRanktables()
        case .fetchLocalRanktables, .pullGlobalRanktables, .fetchLogs, .pushStagingToFirstPrefill, .pushGlobalRanktables:
            transferFiles()
        case .generateGlobalRanktable: generateGlobalRanktable()
        case .killProcesses(let pattern): killProcesses(pattern)
        case .killPortOwner: killPortOwner()
        case .startLMCacheServices: startLMCacheServices()
        case .removeProcTrace:
            machine.files[Paths.procTrace] = nil
            ok()
        case .detectInterface: ok(machine.spec.interface.isEmpty ? "" : machine.spec.interface + "\n", 0.1)
        case .startServer: startServer()
        case .waitForServers, .waitForProxy: waitForPorts()
        case .startProxy: startProxy()
        case .waitForServerLog: waitForServerLog()
        case .makeBindScriptExecutable, .bindCPUs:
            guard requireContainer() else { return }
            guard container()!.hasCode else {
                return fail(1, "chmod: cannot access '\(Paths.containerScripts)/bind_cpu.sh': No such file or directory")
            }
            ok("", 0.5)
        case .makeExecutorLogDirectory:
            executor.makeDirectories(paths.executorLogs(host))
            ok()
        }
    }

    mutating func removeContainers() {
        for name in settings.containersToRemove(on: host) where machine.containers[name] != nil {
            machine.containers[name] = nil
            _ = machine.kill { $0.container == name }
        }
        ok("", 2)
    }

    mutating func runContainer() {
        let name = containerName
        if machine.containers[name] != nil {
            return fail(125, "docker: Error response from daemon: Conflict. The container name \"/\(name)\" is already in use.")
        }
        if !machine.images.contains(settings.dockerImageID) {
            guard machine.pullable else {
                return fail(125, "Unable to find image '\(settings.dockerImageID)' locally\ndocker: Error response from daemon: pull access denied for \(settings.dockerImageID), repository does not exist or may require 'docker login'",
                            duration: 5)
            }
            machine.images.insert(settings.dockerImageID)
        }
        let mounts = backend.containerMounts
        for (mount, parts) in zip(mounts, backend.containerMountParts) where machine.files.entry(at: parts) == .none {
            if machine.isFull(mount) { return fail(125, "docker: Error response from daemon: mkdir \(mount): no space left on device") }
            machine.files.createDirectories(parts)
        }
        // The container's environment is what the `docker run` command passes with -e.
        guard case .shell(let text)? = task.operations.first, let run = DockerCommand(text) else {
            return fail(125, "the container start is not a 'docker run' command")
        }
        let env = run.environmentDictionary
        machine.containers[name] = SimContainer(name: name, image: settings.dockerImageID, env: env, mounts: mounts)
        ok(Self.containerID, 3)
    }

    /// What `docker run -d` prints: the new container's id.
    static let containerID = String(repeating: "f", count: 64) + "\n"

    mutating func makeDirectory(_ path: String) {
        if machine.isFull(path) && !machine.isDirectory(path) {
            return fail(1, "mkdir: cannot create directory '\(path)': No space left on device")
        }
        machine.makeDirectories(path)
        ok()
    }

    mutating func syncCode() {
        let source = paths.executorCode
        guard executor.files.hasFiles(under: source) else {
            return fail(23, "rsync: change_dir \"\(source)\" failed: No such file or directory (2)",
                        message: "the executor has no code checkout at \(source)")
        }
        let target = settings.codePath + "/omniinfer"
        if machine.isFull(target) { return fail(11, "rsync: write failed on \"\(target)\": No space left on device (28)") }
        machine.files.mount(executor.files.snapshot(of: source), at: target)
        ok("", 20)
    }

    mutating func copyCode() {
        guard requireContainer() else { return }
        let source = paths.executorCode
        guard machine.files.hasFiles(under: source) else {
            return fail(1, "Error: No such container:path: \(source) does not exist on the host")
        }
        machine.containers[containerName]!.hasCode = true
        ok("", 5)
    }

    mutating func pipInstall() {
        guard requireContainer() else { return }
        guard container()!.hasCode else {
            return fail(1, "/bin/bash: line 1: cd: \(Paths.containerCode)/infer_engines: No such file or directory")
        }
        let log = host.role == .proxy ? settings.logPath + "/install.log" : paths.hostLogs(host) + "/pip.log"
        if let error = machine.write(log, "Successfully installed\n") { return fail(1, error) }
        machine.containers[containerName]!.packagesInstalled = true
        ok("", 300)
    }

    mutating func generateLocalRanktable() {
        guard requireContainer() else { return }
        let script = paths.script(.generateRanktable(for: host.role))
        guard requireFile(script) else { return }
        let dir = paths.localRanktableDirectory(host.role)
        let serverIP = machine.spec.resolvesTo ?? machine.address
        let ids = host.deviceIDs
        let lists = [ids]
        do {
            let outputs = try Ranktable.gen(serverIP: serverIP, prefillLists: host.role == .prefill ? lists : [],
                                            decodeLists: host.role == .decode ? lists : [], apiServer: host.role == .prefill,
                                            deviceIP: { id in Int(id).flatMap { machine.npus[$0] } })
            let written = outputs.map { (name: $0.fileName, file: SimFile(document: $0.document, mode: 0o600)) }
            if machine.fullPaths.isEmpty {
                machine.files.replaceContents(of: dir, with: written)
            } else {
                machine.removeContents(of: dir)
                machine.makeDirectories(dir)
                for (name, file) in written {
                    if let error = machine.write(dir + "/" + name, file) { return fail(1, error) }
                }
            }
            ok("", 5)
        } catch {
            fail(1, "Traceback (most recent call last):\n  pd_ranktable_tools.py gen\n\(error)")
        }
    }

    mutating func findLocalRanktables() {
        let dir = paths.localRanktableDirectory(host.role)
        let prefix = "local_ranktable_\(host.address)_"
        // `find -name 'local_ranktable_<address>_*.json'` followed by a digits-only filter.
        let trimmed = PathText.trimmed(dir)
        let base = trimmed == "/" ? "/" : trimmed + "/"
        let head = Array(prefix.utf8), tail = Array(".json".utf8)
        let found = machine.files.fileNames(in: dir, where: { name in
            var name = name
            return name.withUTF8 { bytes in
                guard bytes.count > head.count + tail.count, head.elementsEqual(bytes.prefix(head.count)),
                      tail.elementsEqual(bytes.suffix(tail.count)) else { return false }
                return bytes.dropFirst(head.count).dropLast(tail.count).allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            }
        }).map { base + $0 }
        ok(found.joined(separator: "\n"), 0.3)
    }

    /// Performs file-transfer operations between this host and the executor on the model.
    mutating func transferFiles() {
        for op in task.operations {
            switch op {
            case .fetchFile(let remote, let local):
                guard let file = machine.files[remote] else { return fail(1, "file not found: \(remote)") }
                executor.files[local] = file  // creates the missing directories on the way
            case .pullTree(let remote, let local, let contentsOnly):
                copyTree(from: machine, remote, to: executor, local, contentsOnly: contentsOnly)
            case .pushTree(let local, let remote, let contentsOnly):
                guard executor.isDirectory(local) else {
                    return fail(23, "rsync: change_dir \"\(local)\" failed: No such file or directory (2)")
                }
                if machine.isFull(remote) { return fail(11, "rsync: write failed on \"\(remote)\": No space left on device (28)") }
                copyTree(from: executor, local, to: machine, remote, contentsOnly: contentsOnly)
            default:
                break
            }
            ok("", 1)
        }
    }

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

    mutating func killProcesses(_ pattern: String) {
        guard requireContainer() else { return }
        guard requireFile(paths.script(.killScript(for: pattern))) else { return }
        let name = containerName
        _ = machine.kill { $0.container == name && $0.command.contains(pattern) }
        // The kill script's own command line matches its pattern, so it kills itself: exit 137.
        fail(137, "Killed", message: "the kill script kills itself (exit 137); ignored as in the seed", duration: 0.5)
    }

    mutating func killPortOwner() {
        guard let ports = cluster.globals.lmcachePorts else { return ok() }
        let port = task.step.action == .killPortOwner(.etcd) ? ports.etcd : ports.master
        _ = machine.kill { $0.ports.contains(port) }
        ok()
    }

    mutating func startLMCacheServices() {
        guard let ports = cluster.globals.lmcachePorts else { return ok() }
        guard requireContainer() else { return }
        let name = containerName
        for (command, bind) in [("etcd --listen-client-urls http://\(host.address):\(ports.etcd)", [ports.etcd]),
                                ("mooncake_master -rpc_port=\(ports.master)", [ports.master, ports.metrics])] {
            if let busy = bind.first(where: { machine.ports[$0] != nil }), let owner = machine.owner(of: busy) {
                return silentFailure("\(command.split(separator: " ")[0]) cannot bind port \(busy): already used by '\(owner.command)'")
            }
            _ = machine.start(SimProcess(pid: 0, command: command, container: name, ports: bind, readyAt: now + 2, host: host.name))
            ok("", 0.5)
        }
        waitForPorts()
    }

    mutating func waitForPorts() {
        guard case .waitForPorts(_, let ports, let timeout)? = task.operations.last else { return ok() }
        var ready = now
        for port in ports {
            guard let owner = machine.owner(of: port), owner.host == host.name || owner.container == nil else {
                let other = machine.owner(of: port).map { " (held by '\($0.command)')" } ?? ""
                return fail(1, "port \(port) on \(host.address) is not served by \(host.name)\(other) after \(timeout) s",
                            status: .timedOut, duration: Double(timeout))
            }
            if owner.container == nil && owner.host == nil {
                return fail(1, "port \(port) on \(host.address) answers, but it belongs to a foreign process '\(owner.command)'",
                            duration: 1)
            }
            ready = max(ready, owner.readyAt)
        }
        let wait = ready - now
        if wait > Double(timeout) {
            return fail(1, "servers on \(host.address) not ready within \(timeout) s", status: .timedOut, duration: Double(timeout))
        }
        ok("", max(wait, 0.2))
    }
}
