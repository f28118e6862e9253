/// What a step does, as typed data. `StepRenderer` turns an action into the exact `Operation`s the SSH
/// backend performs; the simulator applies the action to its model and records the same operations.
public enum StepAction: Sendable, Hashable {
    /// Open the host's connection and check its host key; nothing runs on the host. The runner does this
    /// for every targeted host before the first step, so an unreachable host stops the run before any
    /// other host has been changed.
    case connect
    /// Facts computed on the executor; nothing runs on hosts.
    case setFacts(FactSet)
    /// Stop and remove this host's containers if they exist (P/D hosts: both the P and D names).
    case removeContainers
    /// `docker run` the container of the host's role.
    case runContainer
    /// `mkdir -p` a directory on the host.
    case makeDirectory(PathRef)
    /// Push the executor's code checkout to the host.
    case syncCode
    /// `docker cp` the code checkout into the host's container.
    case copyCodeIntoContainer
    /// Reinstall vLLM and omniinfer in the container (and LMCache when selected); C: LMCache only.
    case pipInstall
    /// On the executor: empty the ranktable staging area and create its directories.
    case prepareStaging
    /// `rm -rf <path>/*` on the host.
    case clearDirectory(PathRef)
    /// Write a generated file on the host.
    case writeFile(GeneratedFile)
    /// Run the ranktable tool's `gen` mode in the container.
    case generateLocalRanktable
    /// List this host's local ranktable files (registers `found_ranktables`).
    case findLocalRanktables
    /// Copy the found files to the executor's staging area.
    case fetchLocalRanktables
    /// Push the executor's staging directories to the first P host.
    case pushStagingToFirstPrefill
    /// Merge the ranktables into the global one in the first P host's container.
    case generateGlobalRanktable
    /// Pull the merged `global/` directory from the first P host to the executor.
    case pullGlobalRanktables
    /// Push the executor's `global/` directory to the host.
    case pushGlobalRanktables
    /// Run a kill script in the container: every process whose command line contains the pattern.
    case killProcesses(pattern: String)
    /// On the C host itself: kill whatever listens on the port.
    case killPortOwner(LMCachePort)
    /// Start etcd, then the Mooncake master, in the proxy container.
    case startLMCacheServices
    /// Remove the omni-placement trace file.
    case removeProcTrace
    /// Read the default-route interface (registers `default_interface`).
    case detectInterface
    /// Start the vLLM servers of the host's role, detached.
    case startServer
    /// Wait until the host's servers accept connections (replaces the reference playbook's fixed pauses).
    case waitForServers
    /// Start the global proxy, detached.
    case startProxy
    /// Wait until the proxy accepts connections.
    case waitForProxy
    /// On the executor: create the host's log directory.
    case makeExecutorLogDirectory
    /// Pull the host's logs to the executor.
    case fetchLogs
    /// Wait until the host's first API server logs that it started (before CPU binding).
    case waitForServerLog
    /// `chmod +x` the CPU-binding script in the container.
    case makeBindScriptExecutable
    /// Run the CPU-binding script in the container.
    case bindCPUs
    /// Add-node: record whether the host's containers exist (registers `existing_containers`).
    case inspectContainers
    /// Scale-in: SIGTERM to the host's vLLM servers.
    case terminateServers
    /// Scale-in: wait until the host's API ports are closed (replaces the elastic template's 30 s pause).
    case waitForServersStopped

    /// True for steps that only wait for something to happen and change nothing: an interrupt may abandon
    /// them at once, where a command that changes a host gets time to finish.
    public var onlyWaits: Bool {
        switch self {
        case .connect, .waitForServers, .waitForProxy, .waitForServerLog, .waitForServersStopped: return true
        default: return false
        }
    }

    /// False for steps that need no connection to the host: facts set on the executor, executor-side
    /// commands, and readiness probes made from the executor.
    public var needsConnection: Bool {
        switch self {
        case .connect, .setFacts, .prepareStaging, .makeExecutorLogDirectory, .waitForServers, .waitForProxy, .waitForServersStopped:
            return false
        default: return true
        }
    }

    public enum FactSet: String, Sendable, Hashable {
        case containerNames = "container names"
        case clusterValues = "cluster values"
        case prefillValues = "prefill values"
        case displayValues = "display values"
        case lmcacheValues = "etcd and Mooncake values"
    }

    public enum LMCachePort: String, Sendable, Hashable {
        case etcd, mooncakeMaster = "mooncake-master"
    }

    /// Paths the playbook works with; resolved against the deployment settings when rendered.
    public enum PathRef: Sendable, Hashable {
        case codePath
        case scriptsPath
        case ranktableRoot
        case ranktableGlobal
        case hostLogDirectory
    }

    /// Files the playbook generates on hosts.
    public enum GeneratedFile: String, Sendable, Hashable, CaseIterable {
        case generatePrefillRanktable = "generate_prefill_ranktable.sh"
        case generateDecodeRanktable = "generate_decode_ranktable.sh"
        case generateGlobalRanktable = "generate_global_ranktable.sh"
        case killPython = "kill_python_processes.sh"
        case killRay = "kill_ray_processes.sh"
        case killNginx = "kill_nginx_processes.sh"
        case runPrefill = "vllm_run_for_p.sh"
        case runDecode = "vllm_run_for_d.sh"
        case runProxy = "run_proxy_server.sh"
        case mooncakeConfig = "mooncake_config.json"
        case lmcacheConfig = "lmcache_mooncake_config.yml"

        public var mode: Int {
            switch self {
            case .mooncakeConfig, .lmcacheConfig: return 0o644
            default: return 0o750
            }
        }

        /// The kill script for a process pattern ("python", "ray" or "nginx").
        public static func killScript(for pattern: String) -> GeneratedFile {
            pattern == "ray" ? .killRay : pattern == "nginx" ? .killNginx : .killPython
        }

        /// The script that generates a P or D host's local ranktables.
        public static func generateRanktable(for role: Role) -> GeneratedFile {
            role == .prefill ? .generatePrefillRanktable : .generateDecodeRanktable
        }

        /// The script that starts a P or D host's servers.
        public static func runServer(for role: Role) -> GeneratedFile {
            role == .prefill ? .runPrefill : .runDecode
        }
    }
}
