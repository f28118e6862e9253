/// The elastic server template as steps. It deploys like the main template without ranktables: no
/// `ranktable` tag, no ranktable mount, pd_run.sh started without ranktable paths. Its decode instances are
/// the `D<i>` groups. Scripts are deleted only under `clean_up`. CPU binding and the proxy also carry
/// `run_server`, `add_node` and `delete_node`, so starting or adding servers ends with a proxy restart
/// that picks up the current upstream lists.
public enum ElasticPlaybook {
    public static func steps(for cluster: Cluster) -> [Step] {
        let conditions = MainPlaybook.Conditions(cluster)
        let withProxy = ["run_server", "add_node", "delete_node"]
        return MainPlaybook.containerSteps() + MainPlaybook.codeSteps(conditions)
            + [MainPlaybook.clearScriptsStep(tags: ["clean_up"])] + MainPlaybook.valueSteps()
            + MainPlaybook.stopSteps() + MainPlaybook.lmcacheSteps(conditions) + MainPlaybook.serverSteps()
            + scaleOutSteps(cluster, conditions)
            + MainPlaybook.procBindSteps(cluster, tags: ["proc_bind"] + withProxy, prefill: .prefill, decode: .decode, waitForDecode: true)
            + MainPlaybook.proxySteps(tags: ["run_proxy"] + withProxy)
            + MainPlaybook.logSteps()
    }

    /// Every tag the template knows; `add_node` and `delete_node` steps run only when asked for by name.
    public static let knownTags = MainPlaybook.knownTags.filter { $0 != "ranktable" } + ["add_node", "delete_node", "never"]

    /// The `add_node` block: on the P and D hosts whose containers do not exist yet, everything a new node
    /// needs up to its started server. Existing nodes and the etcd/Mooncake services on C are left alone.
    /// The block's fact registrations also carry `always`, so they run in every play.
    static func scaleOutSteps(_ cluster: Cluster, _ c: MainPlaybook.Conditions) -> [Step] {
        let newP = HostSelector.both(.newHosts, .prefill)
        let newD = HostSelector.both(.newHosts, .decode)
        let newPD = HostSelector.both(.newHosts, .prefillDecode)
        let tags = ["never", "add_node"]
        let off = cluster.globals.procBindEnabled ? nil : "proc_bind_enabled is not set"
        return [
            Step(id: "scale-out-inspect", name: "check whether the containers exist", tags: tags, hosts: .prefillDecode,
                 action: .inspectContainers),
            Step(id: "scale-out-run-container-prefill", name: "run container for new prefill instances", tags: tags, hosts: newP,
                 action: .runContainer),
            Step(id: "scale-out-run-container-decode", name: "run container for new decode instances", tags: tags, hosts: newD,
                 action: .runContainer),
            Step(id: "scale-out-log-dir", name: "create the new node's log directory", tags: tags, hosts: newPD,
                 action: .makeDirectory(.hostLogDirectory)),
            Step(id: "scale-out-code-dir", name: "create CODE_PATH", tags: tags, hosts: newPD, action: .makeDirectory(.codePath)),
            Step(id: "scale-out-sync-code", name: "synchronize code to the new node", tags: tags, hosts: newPD, action: .syncCode),
            Step(id: "scale-out-copy-code", name: "copy code into the new containers", tags: tags, hosts: newPD,
                 action: .copyCodeIntoContainer),
            Step(id: "scale-out-pip-install", name: "reinstall vLLM and omniinfer in the new containers", tags: tags, hosts: newPD,
                 action: .pipInstall, timeout: 3600),
            Step(id: "scale-out-clear-scripts", name: "delete the new node's generated scripts", tags: tags, hosts: newPD,
                 action: .clearDirectory(.scriptsPath)),
            Step(id: "scale-out-cluster-values", name: "register all values", tags: ["always"] + tags, hosts: .executorOnce,
                 action: .setFacts(.clusterValues)),
            Step(id: "scale-out-prefill-values", name: "register values for prefill", tags: ["always"] + tags, hosts: .prefillDecode,
                 action: .setFacts(.prefillValues)),
            Step(id: "scale-out-write-kill-python", name: "write kill_python_processes.sh", tags: tags, hosts: newPD,
                 action: .writeFile(.killPython)),
            Step(id: "scale-out-write-kill-ray", name: "write kill_ray_processes.sh", tags: tags, hosts: newPD,
                 action: .writeFile(.killRay)),
            Step(id: "scale-out-kill-python", name: "kill python processes in the new containers", tags: tags, hosts: newPD,
                 action: .killProcesses(pattern: "python"), neverFails: true),
            Step(id: "scale-out-kill-ray", name: "kill ray processes in the new containers", tags: tags, hosts: newPD,
                 action: .killProcesses(pattern: "ray"), neverFails: true),
            Step(id: "scale-out-lmcache-values", name: "set Mooncake and etcd values", tags: tags, hosts: newPD,
                 action: .setFacts(.lmcacheValues), disabledReason: c.noPorts),
            Step(id: "scale-out-mooncake-config", name: "write mooncake_config.json", tags: tags, hosts: newPD,
                 action: .writeFile(.mooncakeConfig), disabledReason: c.noPorts),
            Step(id: "scale-out-lmcache-config", name: "write lmcache_mooncake_config.yml", tags: tags, hosts: newPD,
                 action: .writeFile(.lmcacheConfig), disabledReason: c.noPorts),
            Step(id: "scale-out-remove-proc-trace", name: "remove the placement trace file", tags: tags, hosts: newPD,
                 action: .removeProcTrace),
            Step(id: "scale-out-write-run-prefill", name: "write vllm_run_for_p.sh", tags: tags, hosts: newP,
                 action: .writeFile(.runPrefill)),
            Step(id: "scale-out-write-run-decode", name: "write vllm_run_for_d.sh", tags: tags, hosts: newD,
                 action: .writeFile(.runDecode)),
            Step(id: "scale-out-detect-interface", name: "get the default-route interface", tags: tags, hosts: newPD,
                 action: .detectInterface),
            Step(id: "scale-out-start-decode", name: "run the new decode service", tags: tags, hosts: newD, action: .startServer),
            Step(id: "scale-out-start-prefill", name: "run the new prefill service", tags: tags, hosts: newP, action: .startServer),
            Step(id: "scale-out-wait", name: "wait until the new servers are ready", tags: tags, hosts: newPD,
                 action: .waitForServers, timeout: 1800),
            Step(id: "scale-out-chmod-bind-prefill", name: "make bind_cpu.sh executable in the new prefill containers", tags: tags,
                 hosts: newP, action: .makeBindScriptExecutable),
            Step(id: "scale-out-chmod-bind-decode", name: "make bind_cpu.sh executable in the new decode containers", tags: tags,
                 hosts: newD, action: .makeBindScriptExecutable),
            Step(id: "scale-out-bind-prefill", name: "bind the new prefill processes to CPUs", tags: tags, hosts: newP,
                 action: .bindCPUs, disabledReason: off),
            Step(id: "scale-out-bind-decode", name: "bind the new decode processes to CPUs", tags: tags, hosts: newD,
                 action: .bindCPUs, disabledReason: off),
        ]
    }
}
