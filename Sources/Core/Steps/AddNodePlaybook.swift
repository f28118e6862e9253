/// The add-node playbook as steps: only hosts whose containers do not exist yet ("new") get
/// containers, code, packages, configs and a started server; the proxy is then restarted with the new
/// upstream lists. Unlike the reference playbook, the proxy restart waits until the new servers are ready.
public enum AddNodePlaybook {
    public static func steps(for cluster: Cluster) -> [Step] {
        let noPorts = cluster.globals.lmcachePorts != nil ? nil : "etcd_port, mooncake_master_port and mooncake_metrics_port are not all set"
        let newP = HostSelector.both(.newHosts, .prefill)
        let newD = HostSelector.both(.newHosts, .decode)
        let newPD = HostSelector.both(.newHosts, .prefillDecode)
        let tags = ["add_node"]
        var steps = [
            Step(id: "container-names", name: "generate container names", tags: ["always"], hosts: .all, action: .setFacts(.containerNames)),
            Step(id: "inspect-containers", name: "check whether the containers exist", tags: tags, hosts: .prefillDecode,
                 action: .inspectContainers),
            Step(id: "run-container-prefill", name: "run container for the new prefill", tags: tags, hosts: newP, action: .runContainer),
            Step(id: "run-container-decode", name: "run container for the new decode", tags: tags, hosts: newD, action: .runContainer),
            Step(id: "create-log-dir", name: "create the host's log directory", tags: tags, hosts: newPD,
                 action: .makeDirectory(.hostLogDirectory)),
            Step(id: "create-code-dir", name: "create CODE_PATH", tags: tags, hosts: newPD, action: .makeDirectory(.codePath)),
            Step(id: "sync-code", name: "synchronize code from the executor", tags: tags, hosts: newPD, action: .syncCode),
            Step(id: "copy-code-pd", name: "copy code into the new containers", tags: tags, hosts: newPD, action: .copyCodeIntoContainer),
            Step(id: "pip-install-pd", name: "reinstall vLLM, omniinfer and LMCache in the new containers", tags: tags, hosts: newPD,
                 action: .pipInstall, timeout: 3600),
            Step(id: "clear-scripts", name: "delete generated scripts", tags: tags, hosts: newPD, action: .clearDirectory(.scriptsPath)),
            Step(id: "cluster-values", name: "register all values", tags: ["always", "add_node"], hosts: .executorOnce,
                 action: .setFacts(.clusterValues)),
            Step(id: "prefill-values", name: "register values for prefill", tags: ["always", "add_node"], hosts: .prefill,
                 action: .setFacts(.prefillValues)),
            Step(id: "write-kill-python", name: "write kill_python_processes.sh", tags: tags, hosts: newPD, action: .writeFile(.killPython)),
            Step(id: "write-kill-ray", name: "write kill_ray_processes.sh", tags: tags, hosts: newPD, action: .writeFile(.killRay)),
            Step(id: "kill-python", name: "kill python processes in the new containers", tags: tags, hosts: newPD,
                 action: .killProcesses(pattern: "python"), neverFails: true),
            Step(id: "kill-ray", name: "kill ray processes in the new containers", tags: tags, hosts: newPD,
                 action: .killProcesses(pattern: "ray"), neverFails: true),
            Step(id: "lmcache-values", name: "set Mooncake and etcd values", tags: tags, hosts: newPD,
                 action: .setFacts(.lmcacheValues), disabledReason: noPorts),
            Step(id: "write-mooncake-config", name: "write mooncake_config.json", tags: tags, hosts: newPD,
                 action: .writeFile(.mooncakeConfig), disabledReason: noPorts),
            Step(id: "write-lmcache-config", name: "write lmcache_mooncake_config.yml", tags: tags, hosts: newPD,
                 action: .writeFile(.lmcacheConfig), disabledReason: noPorts),
            Step(id: "remove-proc-trace", name: "remove the placement trace file", tags: tags, hosts: newPD, action: .removeProcTrace),
            Step(id: "write-run-prefill", name: "write vllm_run_for_p.sh", tags: tags, hosts: newP, action: .writeFile(.runPrefill)),
            Step(id: "write-run-decode", name: "write vllm_run_for_d.sh", tags: tags, hosts: newD, action: .writeFile(.runDecode)),
            Step(id: "detect-interface", name: "get the default-route interface", tags: tags, hosts: .prefillDecode,
                 action: .detectInterface),
            Step(id: "start-decode", name: "run the new decode service", tags: tags, hosts: newD, action: .startServer),
            Step(id: "start-prefill", name: "run the new prefill service", tags: tags, hosts: newP, action: .startServer),
            Step(id: "wait-new-servers", name: "wait until the new servers are ready", tags: tags, hosts: newPD,
                 action: .waitForServers, timeout: 1800),
        ] + MainPlaybook.procBindSteps(cluster, tags: tags, prefill: newP, decode: newD, waitForDecode: false)
            + MainPlaybook.proxySteps(tags: ["run_proxy"], restart: true) + MainPlaybook.logSteps()
        for i in steps.indices { steps[i].playbook = .addNode }
        return steps
    }

    /// Every tag the add-node steps carry, for checking `--tags` and `--skip-tags`.
    public static let knownTags = ["always", "add_node", "run_proxy", "fetch_log", "all"]

    /// The steps that undo a failed addition: the new hosts' containers are removed, so the next attempt
    /// starts clean. Nil when there is nothing to undo: the run succeeded, the connection check failed
    /// (nothing ran), or the proxy was already being restarted (the running instance must not lose the
    /// proxy's new upstream lists half-way; fixing forward is the way out then).
    public static func rollbackSteps(after result: RunResult, added: Set<String>) -> [Step]? {
        guard let failure = result.failure, failure.step.id != Runner.connectStepID else { return nil }
        let proxyTouched = result.steps.contains { run in
            run.step.id == "kill-nginx" && run.results.contains { if case .skipped = $0.status { false } else { true } }
        }
        if proxyTouched { return nil }
        var step = Step(id: "rollback-remove-containers", name: "remove the new nodes' containers", tags: ["add_node"],
                        hosts: .named(added), action: .removeContainers)
        step.playbook = .addNode
        return [step]
    }
}
