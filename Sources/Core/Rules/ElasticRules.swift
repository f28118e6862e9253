/// Rules of the elastic template: what it needs from the inventory and the settings, and the places where
/// it computes values that are wrong as soon as there is more than one decode instance.

/// OMS120: the elastic template finds decode instances only in `D0`…`D99` child groups; a D host outside
/// them gets an empty decode IP list, one data-parallel rank and offset 0.
struct ElasticDecodeGroupRule: Rule {
    let code = "OMS120"
    let title = "elastic: every D host is in a D<i> group"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] {
        cluster.settings.flavour == .elastic ? hostNames(cluster, [.decode]) : []
    }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .elastic else { return [] }
        return cluster.decode.filter { cluster.decodeInstance(of: $0).hosts.isEmpty }.map { host in
            finding(host.name, "D host '\(host.name)' is in no D<i> group: the elastic template gives it an empty DECODE_SERVER_IP_LIST_BY_GROUP, --num-dp 1 and --server-offset 0, so its servers never join a decode instance",
                    hint: "put the D hosts under 'D: children: D0: hosts: …', one D<i> group per decode instance",
                    at: host.location ?? cluster.globals.groupLocations[.decode])
        }
    }
}

/// OMS121: the elastic template gives every decode instance kv rank and engine id PREFILL_POD_NUM, with
/// kv_parallel_size PREFILL_POD_NUM + 1, as if there were one.
struct ElasticDecodeKVRankRule: Rule {
    let code = "OMS121"
    let title = "elastic: decode instances have distinct KV engine ids"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .elastic ? ["cluster"] : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        let instances = cluster.decodeInstances
        guard cluster.settings.flavour == .elastic, instances.count > 1 else { return [] }
        let names = instances.map { $0.group ?? "D" }.joined(separator: ", ")
        return [finding("cluster", "decode instances \(names) all start with --kv-rank and --kv-engine-id \(cluster.derived.prefillPodNum) and --kv-parallel-size \(cluster.derived.kvParallelSize): the KV transfer group counts one decode engine, and a connector that addresses engines by id cannot tell the instances apart",
                        hint: "the elastic template computes these from PREFILL_POD_NUM alone; each decode instance needs its own engine id",
                        at: cluster.globals.groupLocations[.decode], severity: .warning)]
    }
}

/// OMS122: the P side's decode list (`DECODE_SERVER_IP_LIST_ALL`) inserts every D master at the front, so
/// the last instance's master comes first and the instances' hosts interleave.
struct ElasticPrefillDecodeListRule: Rule {
    let code = "OMS122"
    let title = "elastic: the prefill side's decode list keeps instances apart"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .elastic ? ["cluster"] : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        let instances = cluster.decodeInstances
        guard cluster.settings.flavour == .elastic, instances.count > 1 else { return [] }
        let perInstance = instances.map(\.serverIPList).joined(separator: ";")
        return [finding("cluster", "P hosts get --local/--global-decode-server-ip-list \(cluster.decodeInstance.serverIPList): one list over every decode instance, with the last instance's master first and no ';' between instances (per instance it would be \(perInstance)); a runtime that reads it as decode instances sees one instance of \(cluster.decode.count) hosts",
                        hint: "this is how the elastic template computes DECODE_SERVER_IP_LIST_ALL; with LMCacheConnectorV1 the P side does not use it to find decode servers",
                        at: cluster.globals.groupLocations[.decode], severity: .warning)]
    }
}

/// OMS123: the elastic template writes no ranktables, and the HCCL connector reads them when vLLM starts.
struct ElasticConnectorRule: Rule {
    let code = "OMS123"
    let title = "elastic: the KV connector is LMCacheConnectorV1"
    let area = RuleArea.lmcache
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .elastic ? ["settings"] : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .elastic, !cluster.settings.usesLMCache else { return [] }
        return [finding("settings", "KV_CONNECTOR is \(cluster.settings.kvConnector), but the elastic template generates no ranktables: vLLM with this connector reads RANK_TABLE_FILE_PATH at start and no server comes up",
                        hint: "set KV_CONNECTOR: LMCacheConnectorV1 and the etcd/Mooncake ports, as the elastic template requires",
                        at: cluster.settingLocations["KV_CONNECTOR"] ?? cluster.globals.childrenLocation)]
    }
}

/// OMS124: the elastic template has no Ray branch for P instances that span machines.
struct ElasticMultiNodePrefillRule: Rule {
    let code = "OMS124"
    let title = "elastic: every P instance is on one machine"
    let area = RuleArea.topology
    func subjects(_ cluster: Cluster) -> [String] { cluster.settings.flavour == .elastic ? hostNames(cluster, [.prefill]) : [] }
    func check(_ cluster: Cluster) -> [Finding] {
        guard cluster.settings.flavour == .elastic else { return [] }
        return cluster.prefillInstances.filter(\.isMultiNode).compactMap { instance in
            guard let follower = instance.followers.first else { return nil }
            return finding(follower.name, "P instance \(instance.masterAddress) spans \(instance.nodeIPList), but the elastic template starts no Ray cluster: each of its nodes starts its own server with --tp \(follower.deviceCount) and the instance never forms",
                           hint: "use the main flavour for multi-node P instances, or give each P host its own host_ip", at: follower.location(of: "host_ip"))
        }
    }
}

/// OMS130: only the main template has the Omni Proxy branch; the elastic and A3 templates start
/// global_proxy.sh whatever USE_OMNI_PROXY says.
struct OmniProxyFlavourRule: Rule {
    let code = "OMS130"
    let title = "USE_OMNI_PROXY is honoured by the flavour"
    let area = RuleArea.proxy
    func subjects(_ cluster: Cluster) -> [String] { applies(cluster) ? ["settings"] : [] }
    private func applies(_ cluster: Cluster) -> Bool { cluster.settings.useOmniProxy == "1" && cluster.settings.flavour != .main }
    func check(_ cluster: Cluster) -> [Finding] {
        guard applies(cluster) else { return [] }
        return [finding("settings", "USE_OMNI_PROXY is 1, but the \(cluster.settings.flavour.rawValue) template (\(cluster.settings.flavour.templateName)) has no Omni Proxy branch: the C host starts global_proxy.sh and the P servers publish no KV events",
                        hint: "use the main flavour for the Omni Proxy", at: cluster.settingLocations["USE_OMNI_PROXY"], severity: .warning)]
    }
}
