import Core

/// One modelled machine. P, D and C hosts on the same address share it: one file system, one port space.
public final class Machine: @unchecked Sendable {
    public let address: String
    public let spec: MachineSpec
    public let files: FileStore
    /// The files the machine started with (shared with every machine that started alike, never changed).
    private let startingFiles: FileStore
    public var containers: [String: SimContainer] = [:]
    public var processes: [SimProcess] = []
    /// Port → pid of the process listening on it.
    public var ports: [Int: Int] = [:]
    public var images: Set<String>
    /// Whether `docker run` can pull a missing image.
    public var pullable: Bool
    /// Device id → device IP, for present NPUs.
    public var npus: [Int: String] = [:]
    public var busyNPUs: Set<Int> = []
    /// Inventory host → what pd_run.sh started there, as `PDRunProgram.Launch.summary` gives it: the
    /// command lines, then the variables that decide how vLLM runs. Kept as these lines rather than the
    /// whole launch (every variable of pd_run.sh), which would cost a large cluster a few kilobytes a host.
    public var launches: [String: [String]] = [:]
    /// Paths under which every write fails.
    public var fullPaths: [String] = []
    private var nextPid = 1000

    /// `base` holds the files the machine starts with, shared until the machine changes them.
    init(address: String, spec: MachineSpec, defaultImage: String, base: Base) {
        self.address = address
        self.spec = spec
        startingFiles = base.store(withModel: spec.modelPresent)
        self.files = FileStore(copying: startingFiles)
        self.images = Set(spec.images ?? [defaultImage])
        self.pullable = spec.pullable
        npus = spec.deviceIPs ?? base.deviceAddresses(spec.deviceIP, octet: DeviceIPTemplate.octet(of: address) ?? 0, count: spec.npus)
        busyNPUs = Set(spec.busyNPUs)
        fullPaths = spec.fullPaths
        for (name, image) in spec.containers.sorted(by: { $0.key < $1.key }) {
            containers[name] = SimContainer(name: name, image: image, env: [:], mounts: [])
        }
        for (port, listener) in spec.listening.sorted(by: { $0.key < $1.key }) {
            let container = listener.container.flatMap { containers[$0] != nil ? $0 : nil }
            _ = start(SimProcess(pid: 0, command: listener.process, container: container, ports: [port], readyAt: 0))
        }
    }

    /// What new machines start from: the usual directories, with or without the model's weights, shared
    /// until a machine changes its own.
    struct Base: Sendable {
        let modelPath: String
        private let plain: FileStore
        private let withModel: FileStore

        init(modelPath: String) {
            self.modelPath = modelPath
            let directories = ["/data", "/tmp", "/usr/local/Ascend/driver", "/usr/local/dcmi", "/usr/local/sbin"]
            plain = FileStore(directories: directories)
            withModel = FileStore(directories: directories + [modelPath])
            withModel[modelPath + "/config.json"] = SimFile(content: "{}", mode: 0o644)
        }

        func store(withModel model: Bool) -> FileStore { model ? withModel : plain }

        /// Device id → the address `template` gives it.
        func deviceAddresses(_ template: DeviceIPTemplate, octet: Int, count: Int) -> [Int: String] {
            Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, template.render(octet: octet, device: $0)) })
        }
    }

    public func allocatePid() -> Int {
        nextPid += 1
        return nextPid
    }

    // MARK: Files

    public func isFull(_ path: String) -> Bool { !fullPaths.isEmpty && fullPaths.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } }

    public func makeDirectories(_ path: String) { files.makeDirectories(path) }

    public func isDirectory(_ path: String) -> Bool { path == "/" || files.isDirectory(path) }

    public func exists(_ path: String) -> Bool { files[path] != nil || isDirectory(path) }

    public func parent(_ path: String) -> String {
        PathText.parent(of: path) ?? "/"
    }

    /// Writes a file; fails like the OS when the directory is missing or the disk is full.
    public func write(_ path: String, _ content: String, mode: Int = 0o644) -> String? {
        write(path, SimFile(content: content, mode: mode))
    }

    public func write(_ path: String, _ file: SimFile) -> String? {
        if isFull(path) { return "\(path): No space left on device" }
        guard files.write(file, at: path) else { return "\(parent(path)): No such file or directory" }
        return nil
    }

    /// Files directly or indirectly under `directory`, sorted.
    public func files(under directory: String) -> [String] { files.paths(under: directory) }

    /// Files directly in `directory`, sorted.
    public func listing(_ directory: String) -> [String] { files.listing(directory) }

    /// Every file created or changed since the machine was set up (removed ones are not listed), with
    /// each mounted, unchanged tree given whole.
    public func changes() -> [FileStore.Change] { files.changes(since: startingFiles) }

    /// `rm -rf <directory>/*`.
    public func removeContents(of directory: String) { files.removeContents(of: directory) }

    // MARK: Processes and ports

    public func start(_ process: SimProcess) -> SimProcess {
        var p = process
        p.pid = allocatePid()
        processes.append(p)
        for port in p.ports { ports[port] = p.pid }
        return p
    }

    public func kill(where predicate: (SimProcess) -> Bool) -> Int {
        let doomed = processes.filter(predicate)
        let pids = Set(doomed.map(\.pid))
        processes.removeAll { pids.contains($0.pid) }
        ports = ports.filter { !pids.contains($0.value) }
        return doomed.count
    }

    public func owner(of port: Int) -> SimProcess? {
        guard let pid = ports[port] else { return nil }
        return processes.first { $0.pid == pid }
    }
}
