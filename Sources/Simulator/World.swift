@_exported import Core
import class Foundation.NSLock

/// A file in the model: its text and permission bits. A file written as a JSON document (the ranktables)
/// keeps the document and prints its text only when first read as text; copies of the file share that
/// text. Readers that understand JSON take the document as it is.
public struct SimFile: Sendable, Hashable {
    /// A document and, once printed, its text.
    private final class Printed: @unchecked Sendable {
        let document: JSONValue
        private let lock = NSLock()
        private var cached: String?

        init(_ document: JSONValue) { self.document = document }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            if let cached { return cached }
            let text = document.printed()
            cached = text
            return text
        }
    }

    private let text: String?
    private let printed: Printed?
    public var mode: Int

    public init(content: String, mode: Int) {
        self.text = content
        self.printed = nil
        self.mode = mode
    }

    /// The file `json.dump(document, f, indent=4)` writes: no newline after the closing brace.
    public init(document: JSONValue, mode: Int) {
        self.text = nil
        self.printed = Printed(document)
        self.mode = mode
    }

    public var content: String { text ?? printed!.text }

    /// The document the file was written with, if it was written as one.
    public var document: JSONValue? { printed?.document }

    /// The file's JSON document: the one it was written with, else its text parsed.
    public func json() throws -> JSONValue { try printed?.document ?? JSONValue.parse(content) }

    public static func == (a: SimFile, b: SimFile) -> Bool {
        a.mode == b.mode && (a.printed != nil && a.printed === b.printed || a.content == b.content)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
        hasher.combine(mode)
    }
}

/// A process running in a container (or on the host), with the ports it holds.
public struct SimProcess: Sendable, Hashable {
    public var pid: Int
    /// The command line, as `ps aux` would show it; kill scripts match patterns against it.
    public var command: String
    /// Container name, or nil for a process outside any container.
    public var container: String?
    public var ports: [Int]
    /// Virtual time at which the process serves requests.
    public var readyAt: Double
    /// Why the process died right after starting, if it did.
    public var exitReason: String?
    public var host: String?
}

public struct SimContainer: Sendable, Hashable {
    public var name: String
    public var image: String
    public var env: [String: String]
    public var mounts: [String]
    public var running = true
    /// Code copied in by `docker cp`, and packages installed.
    public var hasCode = false
    public var packagesInstalled = false
    /// Files that exist only inside the container (not under a bind mount).
    public var files: [String: SimFile] = [:]
}

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
    /// Inventory host → what pd_run.sh started there, as its contract gives it.
    public var launches: [String: PDRunProgram.Launch] = [:]
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
        npus = base.deviceAddresses(spec.deviceIP, octet: DeviceIPTemplate.octet(of: address) ?? 0, count: spec.npus)
    }

    /// What new machines start from: the usual directories (with or without the model's weights) and
    /// device-address tables, shared until a machine changes its own.
    final class Base: @unchecked Sendable {
        let modelPath: String
        private let plain: FileStore
        private let withModel: FileStore

        init(modelPath: String) {
            self.modelPath = modelPath
            let directories = ["/data", "/tmp", "/usr/local/Ascend/driver", "/usr/local/dcmi", "/usr/local/sbin"]
            let splits = PathSplits()
            plain = FileStore(directories: directories, splits: splits)
            withModel = FileStore(directories: directories + [modelPath], splits: splits)
            withModel[modelPath + "/config.json"] = SimFile(content: "{}", mode: 0o644)
        }

        func store(withModel model: Bool) -> FileStore { model ? withModel : plain }

        /// Device id → the address `template` gives it; machines with the same template, last address
        /// number and NPU count share one table.
        private struct TableKey: Hashable {
            let template: DeviceIPTemplate
            let octet: Int, count: Int
        }
        private var addresses: [TableKey: [Int: String]] = [:]

        func deviceAddresses(_ template: DeviceIPTemplate, octet: Int, count: Int) -> [Int: String] {
            let key = TableKey(template: template, octet: octet, count: count)
            if let known = addresses[key] { return known }
            var table: [Int: String] = [:]
            table.reserveCapacity(count)
            for id in 0..<count { table[id] = template.render(octet: octet, device: id) }
            addresses[key] = table
            return table
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
        PathText.parent(of: path[...]).map(String.init) ?? "/"
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

/// The whole modelled world: every machine by address, plus the executor.
public final class World: @unchecked Sendable {
    public var machines: [String: Machine] = [:]
    public let executor: Machine
    public var machineOrder: [String] = []
    /// The starting files of new machines.
    private var base: Machine.Base

    public init(cluster: Cluster, plan: MachinePlan, faults: [Fault]) {
        let settings = cluster.settings
        base = Machine.Base(modelPath: settings.modelPath)
        executor = Machine(address: "executor", spec: MachineSpec(), defaultImage: settings.dockerImageID,
                           base: Machine.Base(modelPath: "/nonexistent-model"))
        executor.npus = [:]
        if plan.executorHasCode {
            let code = settings.codePath + "/omniinfer"
            for file in ["infer_engines/vllm/setup.py", "infer_engines/bash_install_code.sh", "tools/scripts/pd_run.sh",
                         "tools/scripts/pd_ranktable_tools.py", "tools/scripts/global_proxy.sh", "setup.py"] {
                executor.makeDirectories(executor.parent(code + "/" + file))
                executor.files[code + "/" + file] = SimFile(content: "# \(file)\n", mode: file.hasSuffix(".sh") ? 0o755 : 0o644)
            }
        }
        addMachines(for: cluster, plan: plan, faults: faults)
    }

    /// Adds a machine for every address of `cluster` not modelled yet, with the faults that concern them.
    public func addMachines(for cluster: Cluster, plan: MachinePlan, faults: [Fault]) {
        let settings = cluster.settings
        var added: Set<String> = []
        if base.modelPath != settings.modelPath { base = Machine.Base(modelPath: settings.modelPath) }
        for host in cluster.hosts where machines[host.address] == nil {
            let machine = Machine(address: host.address, spec: plan.spec(for: host.address),
                                  defaultImage: settings.dockerImageID, base: base)
            machines[host.address] = machine
            machineOrder.append(host.address)
            added.insert(host.address)
        }
        for fault in faults where added.contains(cluster.host(named: fault.host)?.address ?? "") {
            guard let host = cluster.host(named: fault.host), let machine = machines[host.address] else { continue }
            fault.apply(to: machine, settings: settings)
        }
    }

    /// The machine of an inventory host.
    public func machine(for host: Host) -> Machine { machines[host.address]! }
}
