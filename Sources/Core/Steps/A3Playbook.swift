/// The A3 server template that runs two prefill instances per machine (groups PA and PB of P) as steps.
/// It deploys like the main template, with these differences: each group's containers are started by a
/// task of their own, with the instance's ZMQ port (5568, 5569) and log directory (LOG_PATH_A,
/// LOG_PATH_B); the code is synced to PA, D and C machines only, since PB shares PA's machines; only PA and
/// D hosts clear the ranktable directory; and the etcd/Mooncake tasks run without checking that their
/// ports are defined.
public enum A3Playbook {
    public static func steps(for cluster: Cluster) -> [Step] {
        var c = MainPlaybook.Conditions(cluster)
        // The template drops the `etcd_port is defined` guards.
        c = MainPlaybook.Conditions(noPorts: nil, noLMCache: c.noLMCache,
                                    lmcacheServices: c.noLMCache ?? (cluster.proxy.isEmpty ? "no C host runs etcd and Mooncake" : nil))
        let pa = HostSelector.group("PA"), pb = HostSelector.group("PB")
        let containers = MainPlaybook.containerSteps().flatMap { step -> [Step] in
            guard step.id == "run-container-prefill" else { return [step] }
            return [
                Step(id: "run-container-prefill-a", name: "run container for prefill instances A", tags: ["run_docker"], hosts: pa,
                     action: .runContainer),
                Step(id: "run-container-prefill-b", name: "run container for prefill instances B", tags: ["run_docker"], hosts: pb,
                     action: .runContainer),
            ]
        }
        let code = MainPlaybook.codeSteps(c).map { step -> Step in
            guard step.id == "sync-code" else { return step }
            var s = step
            s.hosts = .any([pa, .decode, .both(.proxy, .codeSyncTargets)])
            return s
        }
        let ranktables = MainPlaybook.ranktableSteps().map { step -> Step in
            guard step.id == "clear-ranktables" else { return step }
            var s = step
            s.hosts = .any([pa, .decode])
            return s
        }
        return containers + code
            + [MainPlaybook.prepareStagingStep, MainPlaybook.clearScriptsStep(tags: ["ranktable", "clean_up"])] + MainPlaybook.valueSteps()
            + ranktables + MainPlaybook.stopSteps() + MainPlaybook.lmcacheSteps(c) + MainPlaybook.serverSteps()
            + MainPlaybook.procBindSteps(cluster, tags: ["proc_bind"], prefill: .prefill, decode: .decode, waitForDecode: true)
            + MainPlaybook.proxySteps(tags: ["run_proxy"]) + MainPlaybook.logSteps()
    }
}
