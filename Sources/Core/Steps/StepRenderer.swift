/// What a step becomes on one host.
public enum Rendered: Sendable, Hashable {
    case operations([Operation])
    /// The step's condition is false on this host.
    case skip(String)
    /// The step cannot even be rendered (e.g. a fact it needs is undefined), as ansible fails the task.
    case fail(String)
}

/// Renders steps into typed operations with every value resolved: the single place where the playbook's
/// values (paths, environment, ports, file names) are decided for both backends.
public struct StepRenderer: Sendable {
    public let cluster: Cluster
    public let paths: Paths
    public let scripts: Scripts

    let settings: DeploymentSettings

    public init(cluster: Cluster) {
        self.cluster = cluster
        self.paths = Paths(cluster.settings)
        self.scripts = Scripts(cluster: cluster)
        self.settings = cluster.settings
    }

    /// What `step` sends to `target`. `facts` (what earlier steps registered for the host) is looked up
    /// only by the steps that read it.
    public func render(_ step: Step, on target: TaskTarget, facts: @autoclosure () -> HostFacts) -> Rendered {
        guard let host = target.host else { return renderOnExecutor(step) }
        return render(step, on: host, facts: facts())
    }

    /// The steps that run once on the executor touch only its staging directory.
    private func renderOnExecutor(_ step: Step) -> Rendered {
        switch step.action {
        case .setFacts:
            return .operations([])
        case .prepareStaging:
            return .operations([.resetLocalDirectory(paths.ranktable, subdirectories: ["global", "collect_files_d", "collect_files_p/api"])])
        default:
            return .fail("step '\(step.id)' runs on inventory hosts, not once on the executor")
        }
    }

    private func render(_ step: Step, on host: Host, facts: @autoclosure () -> HostFacts) -> Rendered {
        let container = cluster.containerName(host)
        func exec(_ program: ContainerProgram, env: [EnvVar] = [], detached: Bool = false) -> Operation {
            .exec(ContainerExec(container: container, environment: env, detached: detached, program: program))
        }
        switch step.action {
        case .setFacts(.lmcacheValues) where settings.flavour == .a3TwoPrefill && cluster.globals.lmcachePorts == nil:
            // The A3 template sets these facts without checking that the ports are defined.
            return .fail("'etcd_port' is undefined: the A3 template sets the etcd and Mooncake facts without checking that etcd_port, mooncake_master_port and mooncake_metrics_port are defined, so the task fails and any_errors_fatal stops the play")
        case .setFacts:
            return .operations([])
        case .connect:
            return .operations([.connect])
        case .removeContainers:
            return .operations([.removeContainers(settings.containersToRemove(on: host))])
        case .inspectContainers:
            return .operations([.listContainers(settings.serverContainerNames(of: host.name))])
        case .runContainer:
            return .operations([.runContainer(containerRun(host, playbook: step.playbook))])
        case .makeDirectory(let ref):
            return .operations([.makeDirectory(paths.resolve(ref, for: host))])
        case .syncCode:
            return .operations([.pushTree(localPath: paths.code, remotePath: paths.code, contentsOnly: true)])
        case .copyCodeIntoContainer:
            return .operations([.copyIntoContainer(source: paths.code, container: container, destination: "/workspace/")])
        case .pipInstall:
            let program: ContainerProgram = host.role == .proxy
                ? .installLMCache(log: settings.logPath + "/install.log")
                : .reinstallPackages(log: paths.pipLog(host),
                                     lmcacheLog: settings.usesLMCache ? settings.logPath + "/install.log" : nil)
            return .operations([exec(program, env: [EnvVar(EnvName.kvConnector, settings.kvConnector)])])
        case .prepareStaging:
            return .fail("step '\(step.id)' runs once on the executor, not on '\(host.name)'")
        case .clearDirectory(let ref):
            return .operations([.clearDirectory(paths.resolve(ref, for: host))])
        case .writeFile(let file):
            return .operations([.writeFile(path: paths.script(file), content: scripts.content(file, for: host, playbook: step.playbook), mode: file.mode)])
        case .generateLocalRanktable:
            guard let server = host.server else { return .skip("'\(host.name)' has no NPUs") }
            let env = [EnvVar(EnvName.serverList(host.role), server.devices),
                       EnvVar(EnvName.ranktableSaveDirectory(host.role), paths.localRanktableDirectory(host.role))]
            return .operations([exec(.script(paths.script(.generateRanktable(for: host.role))), env: env)])
        case .findLocalRanktables:
            // The tool names a host's files after its address and the devices' ids run together.
            return .operations([.findFiles(FileQuery(directory: paths.localRanktableDirectory(host.role),
                                                     prefix: "local_ranktable_\(host.address)_", suffix: ".json"))])
        case .fetchLocalRanktables:
            return fetchRanktables(host, facts: facts())
        case .pushStagingToFirstPrefill:
            return .operations([
                .pushTree(localPath: paths.ranktable + "/collect_files_p", remotePath: paths.global, contentsOnly: false),
                .pushTree(localPath: paths.ranktable + "/collect_files_d", remotePath: paths.global, contentsOnly: false),
            ])
        case .generateGlobalRanktable:
            return .operations([exec(.script(paths.script(.generateGlobalRanktable)),
                                     env: [EnvVar(EnvName.decodePodNum, String(cluster.decodeInstance.podCount))])])
        case .pullGlobalRanktables:
            return .operations([.pullTree(remotePath: paths.global, localPath: paths.global, contentsOnly: true)])
        case .pushGlobalRanktables:
            return .operations([.pushTree(localPath: paths.global, remotePath: paths.global, contentsOnly: true)])
        case .killProcesses(let pattern):
            return .operations([exec(.script(paths.script(.killScript(for: pattern))))])
        case .killPortOwner(let which):
            guard let ports = cluster.globals.lmcachePorts else { return .skip("etcd/Mooncake ports are not set") }
            return .operations([.killPortOwner(which == .etcd ? ports.etcd : ports.master)])
        case .startLMCacheServices:
            guard let ports = cluster.globals.lmcachePorts else { return .skip("etcd/Mooncake ports are not set") }
            let env = [EnvVar(EnvName.kvConnector, settings.kvConnector)]
            return .operations([
                exec(.etcd(address: host.address, port: ports.etcd, log: settings.logPath + "/etcd.log"), env: env, detached: true),
                exec(.mooncakeMaster(address: host.address, rpcPort: ports.master, metricsPort: ports.metrics,
                                     log: settings.logPath + "/mooncake_master.log"), env: env, detached: true),
                .waitForPorts(host: host.address, ports: [ports.etcd, ports.master, ports.metrics], timeoutSeconds: 120),
            ])
        case .removeProcTrace:
            return .operations([.removeFile(Paths.procTrace)])
        case .detectInterface:
            return .operations([.defaultRouteInterface])
        case .startServer:
            guard let iface = facts().defaultInterface, !iface.isEmpty else {
                return .fail("default_interface is undefined: the host has no IPv4 default route")
            }
            return .operations([exec(.script(paths.script(.runServer(for: host.role))), env: serverEnvironment(host, interface: iface),
                                     detached: true)])
        case .waitForServers:
            let ports = cluster.apiPorts(host)
            guard !ports.isEmpty else { return .skip("'\(host.name)' is a follower node: it starts no API server") }
            return .operations([.waitForPorts(host: host.address, ports: ports, timeoutSeconds: Int(step.timeout))])
        case .startProxy:
            var env = [EnvVar(EnvName.prefillLBSDK, settings.prefillLBSDK), EnvVar(EnvName.decodeLBSDK, settings.decodeLBSDK)]
            if settings.usesOmniProxy {
                env += [EnvVar(EnvName.useOmniProxy, settings.useOmniProxy), EnvVar(EnvName.modelPath, settings.modelPath)]
            }
            return .operations([exec(.script(paths.script(.runProxy)), env: env, detached: true)])
        case .waitForProxy:
            return .operations([.waitForPorts(host: host.address, ports: [host.nodePort], timeoutSeconds: Int(step.timeout))])
        case .waitForServerLog:
            return .operations([.waitForLogLine(LogWait(container: container, path: paths.hostLogs(host) + "/server_0.log",
                                                        text: "Application startup complete", timeoutSeconds: Int(step.timeout),
                                                        intervalSeconds: 20))])
        case .terminateServers:
            return .operations([exec(.terminateServers)])
        case .waitForServersStopped:
            let ports = cluster.apiPorts(host)
            guard !ports.isEmpty else { return .skip("'\(host.name)' runs no API server") }
            return .operations([.waitForPortsClosed(host: host.address, ports: ports, timeoutSeconds: Int(step.timeout))])
        case .makeBindScriptExecutable:
            return .operations([exec(.makeExecutable(Paths.containerScripts + "/bind_cpu.sh"))])
        case .bindCPUs:
            return .operations([exec(.script(Paths.containerScripts + "/bind_cpu.sh"))])
        case .makeExecutorLogDirectory:
            return .operations([.makeLocalDirectory(paths.executorLogs(host))])
        case .fetchLogs:
            return .operations([.pullTree(remotePath: paths.hostLogs(host), localPath: paths.executorLogs(host), contentsOnly: true)])
        }
    }

    private func fetchRanktables(_ host: Host, facts: HostFacts) -> Rendered {
        let found = facts.foundRanktables ?? []
        var ops: [Operation] = []
        let staging = paths.ranktable + (host.role == .prefill ? "/collect_files_p" : "/collect_files_d")
        for path in found {
            let name = Paths.fileName(path)
            ops.append(.fetchFile(remotePath: path, localPath: staging + "/" + name))
        }
        if host.role == .prefill {
            let hostFile = RanktableNames.host(address: host.address)
            ops.append(.fetchFile(remotePath: paths.prefillConfig + "/" + hostFile, localPath: staging + "/api/" + hostFile))
        }
        if found.isEmpty {
            return .skip("no local ranktable named after \(host.address) was found")
        }
        return .operations(ops)
    }
}
