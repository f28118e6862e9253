/// A scenario: an inventory, the deployment settings, how the simulated machines look, injected faults,
/// and what the run is expected to produce. A scenario with expectations is a test.
public struct Scenario: Sendable {
    public var name: String
    public var path: String
    public var inventory: Inventory
    public var settings: DeploymentSettings
    public var machines: MachinePlan
    public var faults: [ScenarioFault]
    public var expectations: [Expectation]
    public var description: String?
    /// For an add-node scenario: the scenario of the running deployment this one extends.
    public var runningPath: String?
    /// Where each setting was written, by its key (e.g. `KV_CONNECTOR`).
    public var settingLocations: [String: SourceLocation] = [:]
    /// Which flavour the scenario follows and where that was decided (named, or read from settings_from).
    public var flavourNote: String?
    /// Where the flavour was decided: the `flavour:` or `settings_from:` value.
    public var flavourLocation: SourceLocation?

    /// The located error for a `--tags`/`--skip-tags` value the flavour's template does not have; nil when
    /// every tag is known.
    public func tagError(_ options: RunOptions) -> Diagnostic? {
        options.unknownTag(in: settings.flavour).map {
            Diagnostic(code: "OMS021", message: $0, location: flavourLocation ?? SourceLocation(file: path, line: 1, column: 1))
        }
    }

    public init(name: String, path: String, inventory: Inventory, settings: DeploymentSettings = DeploymentSettings(),
                machines: MachinePlan = MachinePlan(), faults: [ScenarioFault] = [], expectations: [Expectation] = [],
                description: String? = nil) {
        self.name = name
        self.path = path
        self.inventory = inventory
        self.settings = settings
        self.machines = machines
        self.faults = faults
        self.expectations = expectations
        self.description = description
    }

    public var cluster: Cluster {
        var cluster = Cluster(inventory: inventory, settings: settings)
        cluster.settingLocations = settingLocations
        return cluster
    }
}

/// How the simulated machines look before the run. `defaults` applies to every machine; `overrides` are
/// keyed by machine address (ansible_host).
public struct MachinePlan: Sendable, Hashable {
    public var defaults = MachineSpec()
    public var overrides: [String: MachineSpec.Patch] = [:]
    /// The executor holds the code checkout at CODE_PATH/omniinfer.
    public var executorHasCode = true
    /// Whether the description says so itself (`executor_has_code:`), rather than taking the default.
    public var statesExecutorCode = false

    public init() {}

    public func spec(for address: String) -> MachineSpec {
        guard let patch = overrides[address] else { return defaults }
        return defaults.applying(patch)
    }

    /// This plan with `snapshot` laid over it: the snapshot's description of a machine replaces this
    /// plan's; machines the snapshot does not describe keep theirs.
    public func overlaid(with snapshot: MachinePlan) -> MachinePlan {
        var plan = self
        for (address, patch) in snapshot.overrides { plan.overrides[address] = patch }
        if snapshot.statesExecutorCode { plan.executorHasCode = snapshot.executorHasCode }
        return plan
    }
}

/// One simulated machine's starting state.
public struct MachineSpec: Sendable, Hashable {
    /// Number of NPUs present (device ids 0..<npus).
    public var npus = 16
    public var superNode = "super-node-0"
    /// Images already present locally.
    public var images: [String]? = nil
    /// Images the registry can serve when `docker run` pulls.
    public var pullable = true
    public var modelPresent = true
    /// Default-route interface name; empty means no default route.
    public var interface = "eth0"
    /// What the machine's hostname resolves to inside a container; nil means its own address.
    public var resolvesTo: String? = nil
    /// What `hccn_tool -i <device> -ip -g` reports for each present device.
    public var deviceIP = DeviceIPTemplate.builtIn
    /// The present devices and their IPs as read from the machine; when set, it replaces `npus` and
    /// `deviceIP`.
    public var deviceIPs: [Int: String]? = nil
    /// Devices another process holds.
    public var busyNPUs: [Int] = []
    /// Ports a process listens on: a process of the host's own (which the run never stops), or one inside a
    /// listed container (which stops when the container is removed).
    public var listening: [Int: Listener] = [:]
    /// Containers that exist before the run, by name, with their image.
    public var containers: [String: String] = [:]
    /// Directories whose file system has no space left.
    public var fullPaths: [String] = []

    public init() {}

    public struct Patch: Sendable, Hashable {
        public var npus: Int?
        public var superNode: String?
        public var images: [String]?
        public var pullable: Bool?
        public var modelPresent: Bool?
        public var interface: String?
        public var resolvesTo: String?
        public var deviceIP: DeviceIPTemplate?
        public var deviceIPs: [Int: String]?
        public var busyNPUs: [Int]?
        public var listening: [Int: Listener]?
        public var containers: [String: String]?
        public var fullPaths: [String]?
        public init() {}
    }

    public func applying(_ patch: Patch) -> MachineSpec {
        var spec = self
        if let v = patch.npus { spec.npus = v }
        if let v = patch.superNode { spec.superNode = v }
        if let v = patch.images { spec.images = v }
        if let v = patch.pullable { spec.pullable = v }
        if let v = patch.modelPresent { spec.modelPresent = v }
        if let v = patch.interface { spec.interface = v }
        if let v = patch.resolvesTo { spec.resolvesTo = v }
        if let v = patch.deviceIP { spec.deviceIP = v }
        if let v = patch.deviceIPs { spec.deviceIPs = v }
        if let v = patch.busyNPUs { spec.busyNPUs = v }
        if let v = patch.listening { spec.listening = v }
        if let v = patch.containers { spec.containers = v }
        if let v = patch.fullPaths { spec.fullPaths = v }
        return spec
    }
}

/// A process listening on a port of a machine before the run.
public struct Listener: Sendable, Hashable {
    public var process: String
    /// The container it runs in; nil for a process of the host's own.
    public var container: String?

    public init(process: String, container: String? = nil) {
        self.process = process
        self.container = container
    }
}

/// A fault as the scenario file states it, checked by the loader (every field its kind needs is set). The
/// simulator turns it into its own `Fault`.
public struct ScenarioFault: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The host cannot be reached from the given step on.
        case unreachable
        /// SSH authentication fails from the given step on.
        case authFailure = "auth-failure"
        /// A step's command exits with `exitCode` and `stderr`.
        case exit
        /// A step's command never returns.
        case timeout
        /// The image is not on the machine and pulling it fails.
        case imageMissing = "image-missing"
        /// An NPU device is not present.
        case npuAbsent = "npu-absent"
        /// An NPU device is held by another process.
        case npuBusy = "npu-busy"
        /// A foreign process already listens on `port`.
        case portBusy = "port-busy"
        /// Writes under `path` fail with "No space left on device".
        case diskFull = "disk-full"
        /// MODEL_PATH does not exist on the machine.
        case modelMissing = "model-missing"
    }

    public var kind: Kind
    public var host: String
    /// Step id or tag the fault applies to; nil for state faults that hold from the start.
    public var step: String?
    public var exitCode: Int32 = 1
    public var stderr: String = ""
    public var port: Int?
    public var device: Int?
    public var path: String?
    public var location: SourceLocation?

    public init(kind: Kind, host: String, step: String? = nil) {
        self.kind = kind
        self.host = host
        self.step = step
    }
}

/// What a scenario's run must produce.
public struct Expectation: Sendable, Hashable {
    public enum Result: String, Sendable, Hashable { case pass, fail }
    public var result: Result
    /// The step (id or tag) that must fail first, for `fail`.
    public var step: String?
    public var host: String?
    /// Text the failure message must contain.
    public var message: String?
    /// Static finding codes that must be reported (e.g. OMS104).
    public var codes: [String] = []
    public var location: SourceLocation?

    public init(result: Result) { self.result = result }
}
