/// The reference playbook's main playbook (server template, V2 form) as a list of steps, in execution order.
/// The reference playbook's fixed pauses are replaced by readiness waits. The sections below are shared with
/// the other flavours' step lists, which differ from this one in tags and in what they leave out.
public enum MainPlaybook {
    public static func steps(for cluster: Cluster) -> [Step] {
        let conditions = Conditions(cluster)
        return containerSteps() + codeSteps(conditions)
            + [prepareStagingStep, clearScriptsStep(tags: ["ranktable", "clean_up"])] + valueSteps()
            + ranktableSteps() + stopSteps() + lmcacheSteps(conditions) + serverSteps()
            + procBindSteps(cluster, tags: ["proc_bind"], prefill: .prefill, decode: .decode, waitForDecode: true)
            + proxySteps(tags: ["run_proxy"]) + logSteps()
    }

    /// Every tag the playbook knows, for checking `--tags` and `--skip-tags`.
    public static let knownTags = ["always", "run_docker", "clean_up", "sync_code", "pip_install", "ranktable",
                                   "stop_server", "run_server", "proc_bind", "run_proxy", "fetch_log", "all"]

    /// The play-wide conditions that turn the LMCache steps off, with the reason each gives.
    struct Conditions {
        /// Set when the three etcd/Mooncake ports are not all in the inventory.
        let noPorts: String?
        /// Set when KV_CONNECTOR does not select LMCache.
        let noLMCache: String?
        /// Set when etcd and the Mooncake master are not started on C.
        let lmcacheServices: String?

        init(noPorts: String?, noLMCache: String?, lmcacheServices: String?) {
            self.noPorts = noPorts
            self.noLMCache = noLMCache
            self.lmcacheServices = lmcacheServices
        }

        init(_ cluster: Cluster) {
            noPorts = cluster.globals.lmcachePorts != nil ? nil : "etcd_port, mooncake_master_port and mooncake_metrics_port are not all set"
            noLMCache = cluster.settings.usesLMCache ? nil : "KV_CONNECTOR is not LMCacheConnectorV1"
            lmcacheServices = noLMCache ?? (cluster.lmcacheHost == nil ? "no C host runs etcd and Mooncake" : noPorts)
        }
    }

    static func containerSteps() -> [Step] {
        [
            Step(id: "container-names", name: "generate container names", tags: ["always"], hosts: .all,
                 action: .setFacts(.containerNames)),
            Step(id: "remove-containers-pd", name: "check and delete prefill/decode containers", tags: ["run_docker", "clean_up"],
                 hosts: .prefillDecode, action: .removeContainers),
            Step(id: "remove-containers-proxy", name: "check and delete the global proxy container", tags: ["run_docker", "clean_up"],
                 hosts: .proxy, action: .removeContainers),
            Step(id: "run-container-prefill", name: "run container for prefill", tags: ["run_docker"], hosts: .prefill,
                 action: .runContainer),
            Step(id: "run-container-decode", name: "run container for decode", tags: ["run_docker"], hosts: .decode,
                 action: .runContainer),
            Step(id: "run-container-proxy", name: "run container for the global proxy", tags: ["run_docker"], hosts: .proxy,
                 action: .runContainer),
            Step(id: "create-log-dir", name: "create the host's log directory", tags: ["run_docker"], hosts: .all,
                 action: .makeDirectory(.hostLogDirectory)),
        ]
    }

    static func codeSteps(_ c: Conditions) -> [Step] {
        [
            Step(id: "create-code-dir", name: "create CODE_PATH", tags: ["sync_code"], hosts: .all,
                 action: .makeDirectory(.codePath)),
            Step(id: "sync-code", name: "synchronize code from the executor", tags: ["sync_code"], hosts: .codeSyncTargets,
                 action: .syncCode),
            Step(id: "copy-code-pd", name: "copy code into prefill/decode containers", tags: ["sync_code"], hosts: .prefillDecode,
                 action: .copyCodeIntoContainer),
            Step(id: "copy-code-proxy", name: "copy code into the proxy container", tags: ["sync_code"], hosts: .proxy,
                 action: .copyCodeIntoContainer, disabledReason: c.noLMCache),
            Step(id: "pip-install-proxy", name: "install LMCache and Mooncake in the proxy container", tags: ["pip_install"], hosts: .proxy,
                 action: .pipInstall, timeout: 3600, disabledReason: c.noLMCache),
            Step(id: "pip-install-pd", name: "reinstall vLLM and omniinfer in prefill/decode containers", tags: ["pip_install"],
                 hosts: .prefillDecode, action: .pipInstall, timeout: 3600),
        ]
    }

    static let prepareStagingStep = Step(id: "prepare-staging", name: "create the executor's ranktable staging directories",
                                         tags: ["ranktable", "clean_up"], hosts: .executorOnce, action: .prepareStaging)

    static func clearScriptsStep(tags: [String]) -> Step {
        Step(id: "clear-scripts", name: "delete generated scripts", tags: tags, hosts: .all, action: .clearDirectory(.scriptsPath))
    }

    static func valueSteps() -> [Step] {
        [
            Step(id: "cluster-values", name: "register all values", tags: ["always"], hosts: .executorOnce,
                 action: .setFacts(.clusterValues)),
            Step(id: "prefill-values", name: "register values for prefill", tags: ["always"], hosts: .prefill,
                 action: .setFacts(.prefillValues)),
            Step(id: "display-values", name: "display all values", tags: ["always"], hosts: .executorOnce,
                 action: .setFacts(.displayValues)),
        ]
    }

    static func ranktableSteps() -> [Step] {
        [
            Step(id: "write-gen-prefill", name: "write generate_prefill_ranktable.sh", tags: ["ranktable"], hosts: .prefill,
                 action: .writeFile(.generatePrefillRanktable)),
            Step(id: "write-gen-decode", name: "write generate_decode_ranktable.sh", tags: ["ranktable"], hosts: .decode,
                 action: .writeFile(.generateDecodeRanktable)),
            Step(id: "write-gen-global", name: "write generate_global_ranktable.sh", tags: ["ranktable"], hosts: .firstPrefill,
                 action: .writeFile(.generateGlobalRanktable)),
            Step(id: "clear-ranktables", name: "delete the ranktable files", tags: ["ranktable", "clean_up"], hosts: .prefillDecode,
                 action: .clearDirectory(.ranktableRoot)),
            Step(id: "create-global-dir", name: "create the global ranktable directory", tags: ["ranktable"], hosts: .prefillDecode,
                 action: .makeDirectory(.ranktableGlobal)),
            Step(id: "gen-ranktable-prefill", name: "generate prefill ranktable", tags: ["ranktable"], hosts: .prefill,
                 action: .generateLocalRanktable),
            Step(id: "gen-ranktable-decode", name: "generate decode ranktable", tags: ["ranktable"], hosts: .decode,
                 action: .generateLocalRanktable),
            Step(id: "find-ranktables-prefill", name: "find prefill local ranktables", tags: ["ranktable"], hosts: .prefill,
                 action: .findLocalRanktables),
            Step(id: "fetch-ranktables-prefill", name: "fetch prefill ranktables to the executor", tags: ["ranktable"], hosts: .prefill,
                 action: .fetchLocalRanktables),
            Step(id: "find-ranktables-decode", name: "find decode local ranktables", tags: ["ranktable"], hosts: .decode,
                 action: .findLocalRanktables),
            Step(id: "fetch-ranktables-decode", name: "fetch decode ranktables to the executor", tags: ["ranktable"], hosts: .decode,
                 action: .fetchLocalRanktables),
            Step(id: "push-staging", name: "push the staging directories to the first P host", tags: ["ranktable"], hosts: .firstPrefill,
                 action: .pushStagingToFirstPrefill),
            Step(id: "gen-ranktable-global", name: "generate the global ranktable", tags: ["ranktable"], hosts: .firstPrefill,
                 action: .generateGlobalRanktable),
            Step(id: "pull-global", name: "pull the global directory to the executor", tags: ["ranktable"], hosts: .firstPrefill,
                 action: .pullGlobalRanktables),
            Step(id: "push-global", name: "push the global directory to every other host", tags: ["ranktable"], hosts: .allButFirstPrefill,
                 action: .pushGlobalRanktables),
        ]
    }

    static func stopSteps() -> [Step] {
        [
            Step(id: "write-kill-python", name: "write kill_python_processes.sh", tags: ["stop_server"], hosts: .prefillDecode,
                 action: .writeFile(.killPython)),
            Step(id: "write-kill-ray", name: "write kill_ray_processes.sh", tags: ["stop_server"], hosts: .prefillDecode,
                 action: .writeFile(.killRay)),
            Step(id: "kill-python-prefill", name: "kill python processes in prefill containers", tags: ["stop_server"], hosts: .prefill,
                 action: .killProcesses(pattern: "python"), neverFails: true),
            Step(id: "kill-ray-prefill", name: "kill ray processes in prefill containers", tags: ["stop_server"], hosts: .prefill,
                 action: .killProcesses(pattern: "ray"), neverFails: true),
            Step(id: "kill-python-decode", name: "kill python processes in decode containers", tags: ["stop_server"], hosts: .decode,
                 action: .killProcesses(pattern: "python"), neverFails: true),
            Step(id: "kill-ray-decode", name: "kill ray processes in decode containers", tags: ["stop_server"], hosts: .decode,
                 action: .killProcesses(pattern: "ray"), neverFails: true),
        ]
    }

    static func lmcacheSteps(_ c: Conditions) -> [Step] {
        [
            Step(id: "lmcache-values", name: "set Mooncake and etcd values", tags: ["stop_server", "run_server"], hosts: .all,
                 action: .setFacts(.lmcacheValues), disabledReason: c.noPorts),
            Step(id: "kill-mooncake-master", name: "kill the Mooncake master", tags: ["stop_server", "run_server"], hosts: .lmcacheHost,
                 action: .killPortOwner(.mooncakeMaster), neverFails: true, disabledReason: c.noPorts),
            Step(id: "kill-etcd", name: "kill etcd", tags: ["stop_server", "run_server"], hosts: .lmcacheHost,
                 action: .killPortOwner(.etcd), neverFails: true, disabledReason: c.noPorts),
            Step(id: "write-mooncake-config", name: "write mooncake_config.json", tags: ["run_server"], hosts: .prefillDecode,
                 action: .writeFile(.mooncakeConfig), disabledReason: c.noPorts),
            Step(id: "write-lmcache-config", name: "write lmcache_mooncake_config.yml", tags: ["run_server"], hosts: .prefillDecode,
                 action: .writeFile(.lmcacheConfig), disabledReason: c.noPorts),
            Step(id: "start-lmcache-services", name: "start etcd and the Mooncake master", tags: ["run_server"], hosts: .lmcacheHost,
                 action: .startLMCacheServices, disabledReason: c.lmcacheServices),
        ]
    }

    /// Run scripts written, then the servers started: multi-node P instances first, then D, then
    /// single-node P instances, each group waited for before the next starts.
    static func serverSteps() -> [Step] {
        [
            Step(id: "remove-proc-trace", name: "remove the placement trace file", tags: ["run_server"], hosts: .prefillDecode,
                 action: .removeProcTrace),
            Step(id: "write-run-prefill", name: "write vllm_run_for_p.sh", tags: ["run_server"], hosts: .prefill,
                 action: .writeFile(.runPrefill)),
            Step(id: "write-run-decode", name: "write vllm_run_for_d.sh", tags: ["run_server"], hosts: .decode,
                 action: .writeFile(.runDecode)),
            Step(id: "detect-interface", name: "get the default-route interface", tags: ["run_server"], hosts: .all,
                 action: .detectInterface),
            Step(id: "start-prefill-multi", name: "run prefill service (multi-node instances)", tags: ["run_server"],
                 hosts: .multiNodePrefill, action: .startServer),
            Step(id: "wait-prefill-multi", name: "wait for multi-node prefill masters", tags: ["run_server"],
                 hosts: .multiNodePrefill, action: .waitForServers, timeout: 1800),
            Step(id: "start-decode", name: "run decode service", tags: ["run_server"], hosts: .decode, action: .startServer),
            Step(id: "wait-decode", name: "wait for decode API servers", tags: ["run_server"], hosts: .decode,
                 action: .waitForServers, timeout: 1800),
            Step(id: "start-prefill-single", name: "run prefill service (single-node instances)", tags: ["run_server"],
                 hosts: .singleNodePrefill, action: .startServer),
            Step(id: "wait-prefill-single", name: "wait for single-node prefill API servers", tags: ["run_server"],
                 hosts: .singleNodePrefill, action: .waitForServers, timeout: 1800),
        ]
    }

    /// CPU binding: the binding script is made executable on every P and D host; when `proc_bind_enabled`
    /// is set, it runs once the decode servers have logged their start.
    static func procBindSteps(_ cluster: Cluster, tags: [String], prefill: HostSelector, decode: HostSelector,
                              waitForDecode: Bool) -> [Step] {
        let off = cluster.globals.procBindEnabled ? nil : "proc_bind_enabled is not set"
        var steps: [Step] = []
        if waitForDecode {
            steps.append(Step(id: "wait-decode-log", name: "wait until the decode servers log their start", tags: tags,
                              hosts: decode, action: .waitForServerLog, timeout: 300, disabledReason: off))
        }
        return steps + [
            Step(id: "chmod-bind-prefill", name: "make bind_cpu.sh executable in prefill containers", tags: tags, hosts: prefill,
                 action: .makeBindScriptExecutable),
            Step(id: "chmod-bind-decode", name: "make bind_cpu.sh executable in decode containers", tags: tags, hosts: decode,
                 action: .makeBindScriptExecutable),
            Step(id: "bind-cpus-prefill", name: "bind prefill processes to CPUs", tags: tags, hosts: prefill, action: .bindCPUs,
                 disabledReason: off),
            Step(id: "bind-cpus-decode", name: "bind decode processes to CPUs", tags: tags, hosts: decode, action: .bindCPUs,
                 disabledReason: off),
        ]
    }

    /// The global proxy (re)started with the current upstream lists.
    static func proxySteps(tags: [String], restart: Bool = false) -> [Step] {
        [
            Step(id: "write-kill-nginx", name: "write kill_nginx_processes.sh", tags: tags, hosts: .proxy,
                 action: .writeFile(.killNginx)),
            Step(id: "kill-nginx", name: "kill nginx in the proxy container", tags: tags, hosts: .proxy,
                 action: .killProcesses(pattern: "nginx"), neverFails: true),
            Step(id: "write-run-proxy", name: restart ? "write run_proxy_server.sh with the new lists" : "write run_proxy_server.sh",
                 tags: tags, hosts: .proxy, action: .writeFile(.runProxy)),
            Step(id: "start-proxy", name: restart ? "restart the global proxy" : "run the global proxy", tags: tags, hosts: .proxy,
                 action: .startProxy),
            Step(id: "wait-proxy", name: "wait for the global proxy", tags: tags, hosts: .proxy, action: .waitForProxy,
                 timeout: 300),
        ]
    }

    static func logSteps() -> [Step] {
        [
            Step(id: "create-executor-log-dir", name: "create the executor's log directory", tags: ["fetch_log"], hosts: .all,
                 action: .makeExecutorLogDirectory),
            Step(id: "fetch-logs", name: "forward logs to the executor", tags: ["fetch_log"], hosts: .all, action: .fetchLogs),
        ]
    }
}
