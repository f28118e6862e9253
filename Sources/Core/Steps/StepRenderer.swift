/// Values registered by earlier steps, per host (ansible's `register`/`set_fact`).
public struct HostFacts: Sendable, Hashable {
    public var defaultInterface: String?
    /// Paths printed by `findLocalRanktables`.
    public var foundRanktables: [String]?
    /// Add-node: names printed by `inspectContainers` (empty: the host is new).
    public var existingContainers: [String]?

    public init() {}
}

/// What a step becomes on one host.
public enum Rendered: Sendable, Hashable {
    case operations([Operation])
    /// The step's condition is false on this host.
    case skip(String)
    /// The step cannot even be rendered (e.g. a fact it needs is undefined), as ansible fails the task.
    case fail(String)
}

/// Renders steps into the exact operations the SSH backend performs. The single place where the
/// playbook's commands are written.
public struct StepRenderer: Sendable {
    public let cluster: Cluster
    public let paths: Paths
    public let scripts: Scripts

    private let settings: DeploymentSettings
    /// Host-independent pieces of the commands, rendered once per run.
    private let shared: SharedText

    public init(cluster: Cluster) {
        self.cluster = cluster
        self.paths = Paths(cluster.settings)
        self.scripts = Scripts(cluster: cluster)
        self.settings = cluster.settings
        self.shared = SharedText(cluster: cluster, paths: paths)
    }
    private func q(_ s: String) -> String { Shell.quote(s) }

    /// Command pieces that are the same on every host, already quoted.
    private final class SharedText: Sendable {
        /// `docker run` up to the container name, for the main and the add-node playbook.
        let dockerRun: [PlaybookKind: String]
        let prefillHead: String, prefillCluster: String
        let decodeHead: String, decodeParallel: String, decodeCluster: String
        let serverTail: String
        let runScript: [Role: String]
        let killScript: [String: String]
        let pipChain: String, lmcacheInstall: String
        let dockerCopyCode: String

        init(cluster: Cluster, paths: Paths) {
            let settings = cluster.settings, d = cluster.derived
            func envs(_ pairs: [(String, String)]) -> String {
                var c = CommandBuffer()
                for (name, value) in pairs { c.append(" "); c.env(name, value) }
                return c.text
            }
            dockerRun = Dictionary(uniqueKeysWithValues: [PlaybookKind.main, .addNode].map { playbook in
                // The add-node template neither passes RANKTABLE_SAVE_PATH nor mounts the ranktable directory.
                let ranktables = playbook == .main
                var run = ["docker run -it --shm-size=500g"]
                if ranktables { run.append(Shell.env("RANKTABLE_SAVE_PATH", paths.ranktable)) }
                run += [Shell.env("LOG_PATH", settings.logPath),
                        "--net=host --privileged=true -u root -w /data",
                        "--device=/dev/davinci_manager --device=/dev/hisi_hdc --device=/dev/devmm_svm",
                        "--entrypoint=bash"]
                for mount in StepRenderer.containerMounts(settings, paths, ranktables: ranktables) {
                    run.append("-v " + Shell.quote(mount + ":" + mount))
                }
                run.append("-v /usr/share/zoneinfo/Asia/Shanghai:/etc/localtime")
                return (playbook, run.joined(separator: " "))
            })
            let model = "docker exec" + envs([("MODEL_PATH", settings.modelPath)])
            prefillHead = model + envs([("MODEL_LEN_MAX_PREFILL", settings.modelLenMaxPrefill)])
            prefillCluster = envs([("SERVER_IP_LIST", d.decodeServerIPList), ("PREFILL_POD_NUM", String(d.prefillPodNum))])
            decodeHead = model + envs([("MODEL_LEN_MAX_DECODE", settings.modelLenMaxDecode)])
            decodeParallel = envs([("DECODE_TENSOR_PARALLEL_SIZE", settings.decodeTensorParallelSize),
                                   ("DECODE_DATA_PARALLEL_SIZE", d.decodeServerAll)])
            decodeCluster = envs([("SERVER_IP_LIST", d.decodeServerIPList), ("PREFILL_POD_NUM", String(d.prefillPodNum)),
                                  ("DECODE_POD_NUM", String(d.decodePodNum))])
            serverTail = envs([("KV_CONNECTOR", settings.kvConnector), ("MOONCAKE_CONFIG_PATH", paths.script(.mooncakeConfig)),
                               ("LMCACHE_MOONCAKE_CONFIG_PATH", paths.script(.lmcacheConfig))]) + " -d "
            runScript = [.prefill: " /bin/bash -c " + Shell.quote(paths.script(.runServer(for: .prefill))),
                         .decode: " /bin/bash -c " + Shell.quote(paths.script(.runServer(for: .decode)))]
            killScript = Dictionary(uniqueKeysWithValues: ["python", "ray", "nginx"].map { ($0, paths.script(.killScript(for: $0))) })
            // install.sh runs from its own directory and appends Mooncake's library path to ~/.bashrc.
            lmcacheInstall = "source ~/.bashrc && cd \(Paths.containerCode)/omni/adaptors/lmcache/script && bash install.sh > "
                + Shell.quote(settings.logPath + "/install.log") + " 2>&1"
            dockerCopyCode = "docker cp " + Shell.quote(paths.executorCode) + " "
            let engines = Paths.containerCode + "/infer_engines"
            pipChain = [
                ". ~/.bashrc", "cd \(engines)", "git config --global --add safe.directory \(engines)/vllm", "cd vllm", "git checkout -f", "cd ..",
                "bash bash_install_code.sh", "pip uninstall vllm -y", "pip uninstall omni_infer -y", "cd vllm",
                "SETUPTOOLS_SCM_PRETEND_VERSION=0.9.0 VLLM_TARGET_DEVICE=empty pip install -e . --no-deps --no-build-isolation",
                "cd \(Paths.containerCode)", "pip install -e . --no-deps --no-build-isolation", "pip uninstall numpy -y",
                "pip install numpy==1.26 --no-deps --no-build-isolation > ",
            ].joined(separator: " && ")
        }
    }

    /// What `step` sends to `host`. `facts` (what earlier steps registered for the host) is looked up only
    /// by the steps that read it.
    public func render(_ step: Step, on host: Host, facts: @autoclosure () -> HostFacts) -> Rendered {
        switch step.action {
        case .setFacts:
            return .operations([])
        case .removeContainers:
            let names = settings.containersToRemove(on: host)
            return .operations([.shell(
                "names=$(docker inspect --format='{{.Name}}' \(names.map(q).joined(separator: " ")) 2>/dev/null | grep -v '^$' | sed 's#^/##'); "
                + "if [ -n \"$names\" ]; then docker stop $names && docker rm -f $names; fi")])
        case .connect:
            return .operations([.connect])
        case .inspectContainers:
            let names = settings.serverContainerNames(of: host.name)
            return .operations([.shell("docker inspect --format='{{.Name}}' \(names.map(q).joined(separator: " ")) 2>/dev/null | grep -v '^$' | sed 's#^/##' || true")])
        case .runContainer:
            return .operations([.shell(dockerRun(host, playbook: step.playbook))])
        case .makeDirectory(let ref):
            return .operations([.shell(command("mkdir -p ", paths.resolve(ref, for: host)))])
        case .syncCode:
            return .operations([.pushTree(localPath: paths.executorCode, remotePath: settings.codePath + "/omniinfer", contentsOnly: true)])
        case .copyCodeIntoContainer:
            var c = CommandBuffer()
            c.append(shared.dockerCopyCode)
            c.quoted(cluster.containerName(host) + ":/workspace/")
            return .operations([.shell(c.text)])
        case .pipInstall:
            return .operations([.shell(exec(host, pipInstallCommand(host), env: [("KV_CONNECTOR", settings.kvConnector)]))])
        case .prepareStaging:
            let r = q(paths.ranktable)
            return .operations([.local("rm -rf \(r)/* && mkdir -p \(r)/global \(r)/collect_files_d \(r)/collect_files_p/api")])
        case .clearDirectory(let ref):
            return .operations([.shell(command("rm -rf ", paths.resolve(ref, for: host), "/*"))])
        case .writeFile(let file):
            return .operations([.writeFile(path: paths.script(file), content: scripts.content(file, for: host, playbook: step.playbook), mode: file.mode)])
        case .generateLocalRanktable:
            let prefill = host.role == .prefill
            var c = CommandBuffer()
            c.append("docker exec ")
            c.env(prefill ? "PREFILL_SERVER_LIST" : "DECODE_SERVER_LIST", host.deviceString ?? "")
            c.append(" ")
            c.env(prefill ? "PREFILL_RANKTABLE_SAVE_PATH" : "DECODE_RANKTABLE_SAVE_PATH", paths.localRanktableDirectory(host.role))
            c.append(" ")
            c.quoted(cluster.containerName(host))
            c.append(" /bin/bash -c ")
            c.quoted(paths.script(.generateRanktable(for: host.role)))
            return .operations([.shell(c.text)])
        case .findLocalRanktables:
            let dir = paths.localRanktableDirectory(host.role)
            return .operations([.shell("find \(q(dir)) -maxdepth 1 -type f -regextype posix-extended -regex \(q(".*/local_ranktable_\(host.address.replacingAll(".", with: "\\."))_[0-9]+\\.json"))")])
        case .fetchLocalRanktables:
            return fetchRanktables(host, facts: facts())
        case .pushStagingToFirstPrefill:
            return .operations([
                .pushTree(localPath: paths.ranktable + "/collect_files_p", remotePath: paths.global, contentsOnly: false),
                .pushTree(localPath: paths.ranktable + "/collect_files_d", remotePath: paths.global, contentsOnly: false),
            ])
        case .generateGlobalRanktable:
            return .operations([.shell("docker exec \(Shell.env("DECODE_POD_NUM", String(cluster.derived.decodePodNum))) \(q(cluster.containerName(host))) /bin/bash -c \(q(paths.script(.generateGlobalRanktable)))")])
        case .pullGlobalRanktables:
            return .operations([.pullTree(remotePath: paths.global, localPath: paths.global, contentsOnly: true)])
        case .pushGlobalRanktables:
            return .operations([.pushTree(localPath: paths.global, remotePath: paths.global, contentsOnly: true)])
        case .killProcesses(let pattern):
            return .operations([.shell(exec(host, shared.killScript[pattern] ?? paths.script(.killScript(for: pattern))))])
        case .killPortOwner(let which):
            guard let ports = cluster.globals.lmcachePorts else { return .skip("etcd/Mooncake ports are not set") }
            let port = which == .etcd ? ports.etcd : ports.master
            return .operations([.shell("for pid in $(netstat -tulpn 2>/dev/null | grep ':\(port) ' | awk '{print $7}' | grep -oE '^[0-9]+'); do kill -9 \"$pid\"; done")])
        case .startLMCacheServices:
            guard let ports = cluster.globals.lmcachePorts else { return .skip("etcd/Mooncake ports are not set") }
            let ip = host.address
            let etcd = "nohup etcd --listen-client-urls http://\(ip):\(ports.etcd) --advertise-client-urls http://\(ip):\(ports.etcd) > \(q(settings.logPath + "/etcd.log")) 2>&1 &"
            // The Mooncake master needs the library path install.sh wrote into ~/.bashrc.
            let master = "source ~/.bashrc && nohup mooncake_master -rpc_address=\(ip) -rpc_port=\(ports.master) -metrics_port=\(ports.metrics) -v 2 -eviction_high_watermark_ratio=0.8 -eviction_ratio=0.1 > \(q(settings.logPath + "/mooncake_master.log")) 2>&1 &"
            let env = [("KV_CONNECTOR", settings.kvConnector)]
            return .operations([
                .shell(exec(host, etcd, env: env, detached: true)),
                .shell(exec(host, master, env: env, detached: true)),
                .waitForPorts(host: host.address, ports: [ports.etcd, ports.master, ports.metrics], timeoutSeconds: 120),
            ])
        case .removeProcTrace:
            return .operations([.shell("rm -f \(Paths.procTrace)")])
        case .detectInterface:
            return .operations([.shell("ip -4 route list 0/0 | awk '{print $5}' | head -1")])
        case .startServer:
            guard let iface = facts().defaultInterface, !iface.isEmpty else {
                return .fail("default_interface is undefined: the host has no IPv4 default route")
            }
            return .operations([.shell(startServer(host, interface: iface))])
        case .waitForServers:
            let ports = cluster.apiPorts(host)
            guard !ports.isEmpty else { return .skip("'\(host.name)' is a follower node: it starts no API server") }
            return .operations([.waitForPorts(host: host.address, ports: ports, timeoutSeconds: Int(step.timeout))])
        case .startProxy:
            let env = [Shell.env("PREFILL_LB_SDK", settings.prefillLBSDK), Shell.env("DECODE_LB_SDK", settings.decodeLBSDK)]
            return .operations([.shell("docker exec \(env.joined(separator: " ")) -d \(q(cluster.containerName(host))) /bin/bash -c \(q(paths.script(.runProxy)))")])
        case .waitForProxy:
            return .operations([.waitForPorts(host: host.address, ports: [host.nodePort], timeoutSeconds: Int(step.timeout))])
        case .waitForServerLog:
            let log = paths.hostLogs(host) + "/server_0.log"
            let probe = "docker exec \(q(cluster.containerName(host))) grep -q 'Application startup complete' \(q(log))"
            return .operations([.shell("waited=0; until \(probe); do if [ $waited -ge \(Int(step.timeout)) ]; then "
                                       + "echo 'Timeout waiting for service' >&2; exit 1; fi; sleep 20; waited=$((waited + 20)); done")])
        case .makeBindScriptExecutable:
            return .operations([.shell("docker exec \(q(cluster.containerName(host))) chmod +x \(Paths.containerScripts)/bind_cpu.sh")])
        case .bindCPUs:
            return .operations([.shell(exec(host, Paths.containerScripts + "/bind_cpu.sh"))])
        case .makeExecutorLogDirectory:
            return .operations([.local(command("mkdir -p ", paths.executorLogs(host)))])
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

    /// `head` followed by `value` as one shell word and then `tail`.
    private func command(_ head: String, _ value: String, _ tail: String = "") -> String {
        var c = CommandBuffer(capacity: head.utf8.count + value.utf8.count + tail.utf8.count + 2)
        c.append(head)
        c.quoted(value)
        c.append(tail)
        return c.text
    }

    /// `docker exec [-e NAME=value]... <container> /bin/bash -c <command>`.
    func exec(_ host: Host, _ command: String, env: [(String, String)] = [], detached: Bool = false) -> String {
        var c = CommandBuffer(capacity: 64 + command.utf8.count)
        c.append("docker exec ")
        for (name, value) in env {
            c.env(name, value)
            c.append(" ")
        }
        if detached { c.append("-d ") }
        c.quoted(cluster.containerName(host))
        c.append(" /bin/bash -c ")
        c.quoted(command)
        return c.text
    }

    /// The container's `docker run`: no code mount (the code is copied in); logs, model, scripts and, in the
    /// main playbook, the ranktable directory mounted at the same paths.
    public func dockerRun(_ host: Host, playbook: PlaybookKind = .main) -> String {
        let head = shared.dockerRun[playbook]!
        var c = CommandBuffer(capacity: head.utf8.count + 128)
        c.append(head)
        if host.role == .proxy {
            c.append(" ")
            c.env("PROXY_NODE_PORT", String(host.nodePort))
        }
        c.append(" -d --name ")
        c.quoted(cluster.containerName(host))
        c.append(" ")
        c.quoted(settings.dockerImageID)
        return c.text
    }

    public static func containerMounts(_ settings: DeploymentSettings, _ paths: Paths, ranktables: Bool = true) -> [String] {
        ["/data", "/tmp", "/usr/local/Ascend/driver", "/usr/local/dcmi", "/usr/local/bin/npu-smi", "/etc/ascend_install.info",
         "/usr/local/sbin", "/etc/hccn.conf", "/usr/bin/hccn_tool",
         settings.logPath, settings.modelPath, settings.scriptsPath] + (ranktables ? [paths.ranktable] : [])
    }

    func pipInstallCommand(_ host: Host) -> String {
        if host.role == .proxy { return shared.lmcacheInstall }
        var c = CommandBuffer(capacity: shared.pipChain.utf8.count + 128)
        c.append(shared.pipChain)
        c.quoted(paths.hostLogs(host) + "/pip.log")
        c.append(" 2>&1")
        if settings.usesLMCache {
            c.append(" && ")
            c.append(shared.lmcacheInstall)
        }
        return c.text
    }

    /// The detached `docker exec` that starts a P or D host's servers (spec T41/T43 with the V2 additions).
    public func startServer(_ host: Host, interface: String) -> String {
        var c = CommandBuffer(capacity: 1024)
        func env(_ name: String, _ value: String) {
            c.append(" ")
            c.env(name, value)
        }
        if host.role == .prefill {
            c.append(shared.prefillHead)
            env("PREFILL_SERVER_LIST", host.deviceString ?? "")
            env("PREFILL_TENSOR_PARALLEL_SIZE", String(host.deviceCount))
            env("IP", host.address)
            env("HOST_IP", host.hostIP ?? "")
            env("MASTER_PORT", String(host.nodePort))
            env("API_PORT", String(host.apiPort ?? 0))
            c.append(shared.prefillCluster)
            env("SOCKET_IFNAME", interface)
            env("KV_RANK", String(host.kvRank ?? 0))
            env("NNODES", String(cluster.nnodes(host)))
            env("NODE_RANK", String(host.nodeRank))
            env("NODE_IP_LIST", cluster.nodeIPList(host))
        } else {
            c.append(shared.decodeHead)
            env("DECODE_SERVER_LIST", host.deviceString ?? "")
            c.append(shared.decodeParallel)
            env("HOST_IP", host.hostIP ?? "")
            env("MASTER_PORT", String(host.nodePort))
            env("API_PORT", String(host.apiPort ?? 0))
            c.append(shared.decodeCluster)
            env("SOCKET_IFNAME", interface)
            env("NUM_SERVERS", String(host.deviceCount))
            env("HOST", host.name)
        }
        c.append(shared.serverTail)
        c.quoted(cluster.containerName(host))
        c.append(shared.runScript[host.role == .prefill ? .prefill : .decode]!)
        return c.text
    }
}
