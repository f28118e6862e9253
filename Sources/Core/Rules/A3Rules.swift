/// Rules of the A3 template that runs two prefill instances per machine: the ways it breaks as written.

/// OMS125: the A3 template sets the etcd and Mooncake facts without checking that their ports are
/// defined; without them the play stops there.
struct A3LMCachePortsRule: Rule {
    let code = "OMS125"
    let title = "A3: the etcd/Mooncake ports are defined"
    let area = RuleArea.lmcache
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .a3TwoPrefill ? ["cluster"] : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .a3TwoPrefill, cluster.globals.lmcachePorts == nil else { return [] }
        return [finding("cluster", "etcd_port, mooncake_master_port and mooncake_metrics_port are not all set, and the A3 template reads them in 'Set mooncake & etcd configuration' without checking: the task fails on every host and the play stops before any server starts (also under --tags stop_server or run_server)",
                        hint: "define the three ports in all.vars (even with the HCCL connector)", at: cluster.globals.childrenLocation)]
    }
}

/// OMS128: PB hosts get no code sync of their own; they use what the PA host of their machine received.
struct A3PrefillBCodeRule: Rule {
    let code = "OMS128"
    let title = "A3: every PB machine also holds a PA instance"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .a3TwoPrefill ? hostNames(cluster, [.prefill]) : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .a3TwoPrefill else { return [] }
        let synced = Set(cluster.hosts.filter { HostSelector.any([.group("PA"), .decode, .both(.proxy, .codeSyncTargets)]).matches($0, in: cluster) }.map(\.address))
        return cluster.prefill.filter { $0.groupNames.contains("PB") && !synced.contains($0.address) }.map { host in
            finding(host.name, "PB host '\(host.name)' is on \(host.address), which no PA, D or C host shares: the A3 template syncs code only to those, so CODE_PATH is empty there and copying the code into its container fails",
                    hint: "pair each PB instance with a PA instance on the same machine", at: host.location(of: "ansible_host"))
        }
    }
}

/// OMS129: pip_install logs to `<LOG_PATH>/<host>/pip.log`, a directory the A3 template never creates
/// (its logs go straight into LOG_PATH, LOG_PATH_A and LOG_PATH_B).
struct A3PipLogRule: Rule {
    let code = "OMS129"
    let title = "A3: pip_install can write its log"
    let area = RuleArea.inventory
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .a3TwoPrefill ? hostNames(cluster, [.prefill, .decode]) : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .a3TwoPrefill else { return [] }
        let paths = Paths(cluster.settings)
        return cluster.hosts.filter { $0.role != .proxy }.map { host in
            finding(host.name, "pip_install on '\(host.name)' redirects its last command to \(paths.pipLog(host)), whose directory the A3 template never creates: the redirect fails, numpy 1.26 is not reinstalled after `pip uninstall numpy`, and vLLM cannot start (the task still reports the LMCache install's status)",
                    hint: "the A3 template's pip_install needs the per-host log directory of the main template", at: host.location)
        }
    }
}
