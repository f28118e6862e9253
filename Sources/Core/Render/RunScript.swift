/// A value a rendered script hands on: fixed when the script is written, or read from the environment the
/// container command gives it (the network interface is only known when the server starts).
public enum ScriptValue: Sendable, Hashable {
    case literal(String)
    case variable(String)

    /// The value as one shell word.
    var word: String {
        switch self {
        case .literal(let s): return s.isEmpty ? "''" : Shell.quote(s)
        case .variable(let name): return "\"$\(name)\""
        }
    }
}

/// The command line a P or D run script hands to `pd_run.sh`: `--option value` pairs in the reference
/// playbook's order. pd_run.sh assigns its own defaults before it parses options, so every value that has
/// to reach vLLM is passed here as an option; a value that is only exported would be overwritten.
public struct PDRunArguments: Sendable, Hashable {
    public struct Pair: Sendable, Hashable {
        public var option: String
        public var value: ScriptValue
    }

    public var pairs: [Pair]

    /// The interface variable the server start command sets (the host's default-route interface).
    public static let interfaceVariable = EnvName.socketInterface

    static let prefillBaseArgs = "--max-num-batched-tokens 30000 --enforce-eager --enable-expert-parallel --disable-log-requests --max-num-seqs 16"

    /// The P servers' vLLM arguments. For the Omni Proxy they keep prefix caching and publish their KV-cache
    /// events over ZMQ on `kvEventsPort` (API port + 100), where the proxy reads them.
    static func prefillExtraArgs(kvEventsPort: Int?) -> String {
        guard let port = kvEventsPort else { return prefillBaseArgs + " --no-enable-prefix-caching" }
        return prefillBaseArgs + " --kv-events-config " + kvEventsConfig(port: port)
    }

    /// The KV-events configuration a P server is given for the Omni Proxy.
    public static func kvEventsConfig(port: Int) -> String {
        "{\"enable_kv_cache_events\":true,\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:\(port)\"}"
    }
    static let decodeExtraArgs = "--enable-expert-parallel --disable-log-requests --max-num-seqs 32 --no-enable-prefix-caching"
    static let decodeAdditionalConfig = "{\"graph_model_compile_config\": {\"level\":1}}"
    static let gpuUtil = "0.92"

    /// Whether the run scripts of `playbook` pass ranktable paths: the add-node playbook and the elastic
    /// flavour write no ranktables.
    static func passesRanktables(_ cluster: Cluster, _ playbook: PlaybookKind) -> Bool {
        playbook == .main && cluster.settings.flavour.usesRanktables
    }

    /// The arguments of a P host's run script. The elastic template always runs the P side as `kv_both`
    /// (LMCache is wired in) and has no Ray branch: each P host starts its own server over its devices.
    public static func prefill(_ host: Host, _ server: ServerPlacement, kvRank: Int, in cluster: Cluster,
                               playbook: PlaybookKind) -> PDRunArguments {
        let settings = cluster.settings, d = cluster.derived, paths = Paths(settings)
        let instance = cluster.prefillInstance(of: host, server: server)
        let elastic = settings.flavour == .elastic, a3 = settings.flavour == .a3TwoPrefill
        let multiNode = instance.isMultiNode && !elastic
        var a = Builder()
        if passesRanktables(cluster, playbook) {
            a.add("--global-rank-table-path", paths.global + "/" + RanktableNames.globalMerge)
            a.add("--rank-table-path", multiNode
                  ? "\(paths.global)/collect_files_p/\(server.hostIP)/\(RanktableNames.localMerge)"
                  : paths.prefillConfig + "/" + RanktableNames.local(host))
        }
        a.decodeLists(cluster.decodeInstance.serverIPList, cluster)
        a.add("--model-path", settings.modelPath)
        a.add("--master-ip", server.hostIP)
        a.add("--role", "prefill")
        a.add("--kv-role", settings.usesLMCache || elastic ? "kv_both" : "kv_producer")
        a.add("--max-model-len", settings.modelLenMaxPrefill)
        a.add("--master-port", String(host.nodePort))
        a.add("--base-api-port", String(server.apiPort))
        a.add("--tp", String(elastic ? server.deviceCount : instance.tensorParallelSize(of: host)))
        a.add("--ascend-rt-visible-devices", server.devices)
        a.add("--kv-rank", String(kvRank))
        a.add("--kv-engine-id", String(kvRank))
        a.add("--kv-parallel-size", kvParallelSize(cluster))
        a.add("--kv-connector", settings.kvConnector)
        a.add("--model-extra-cfg-path", Paths.containerCode + "/tests/test_config/test_config_prefill.json")
        a.add("--gpu-util", gpuUtil)
        if a3 { a.add("--additional-config", prefillPlacementConfig) }
        a.add("--vllm-enable-mc2", "1")
        a.add("--extra-args", prefillExtraArgs(kvEventsPort: settings.usesOmniProxy ? server.apiPort + OmniProxyConfig.kvEventPortOffset : nil)
              + (multiNode ? " --distributed-executor-backend ray" : ""))
        a.add("--hccl-buffsize", "")
        a.add("--hccl-op-expansion-mode", "AIV")
        if a3 { a.add("--vllm-llmdatadist-zmq-port", String(cluster.zmqPort(host))) }
        a.add("--log-dir", paths.hostLogs(host))
        return PDRunArguments(pairs: a.pairs)
    }

    /// `--kv-parallel-size`: PREFILL_POD_NUM + 1 in the V2 and elastic templates; the A3 template passes
    /// DECODE_TENSOR_PARALLEL_SIZE instead.
    static func kvParallelSize(_ cluster: Cluster) -> String {
        cluster.settings.flavour == .a3TwoPrefill ? cluster.settings.decodeTensorParallelSize : String(cluster.derived.kvParallelSize)
    }

    /// The A3 template's omni-placement settings (a fixed expert placement for the prefill servers, a dynamic
    /// one for the decode servers).
    static let prefillPlacementConfig = "{\"enable_omni_placement\":true,\"omni_placement_config\":{\"pattern_path\":\"../../omni/accelerators/placement/patterns/placement_pattern_20250626_221356_58_rearrange_layers_58_layers_16_ranks_prefill_step0to100000.npy\",\"max_moe_layer_num\":58,\"enable_dynamic\":false,\"max_redundant_per_expert\":1,\"max_redundant_per_rank\":0,\"enable_rank_round_robin\":false,\"enable_dump\":false,\"dump_dir\":\"/home/profiling/dump_data\"}}"
    static let decodePlacementConfig = "{\"graph_model_compile_config\": {\"level\":1},\"enable_omni_placement\":true,\"omni_placement_config\":{\"pattern_path\":\"../../omni/accelerators/placement/patterns/base_patterns/DSV3_baseline_32_devices_58_MoE_Layers.npy\",\"max_moe_layer_num\":58,\"enable_dynamic\":true,\"max_redundant_per_expert\":1,\"max_redundant_per_rank\":0,\"enable_rank_round_robin\":true,\"enable_dump\":false,\"dump_dir\":\"/home/profiling/dump_data\"}}"

    /// The arguments of a D host's run script: the lists, data-parallel size and offset of its own decode
    /// instance.
    public static func decode(_ host: Host, _ server: ServerPlacement, in cluster: Cluster, playbook: PlaybookKind) -> PDRunArguments {
        let settings = cluster.settings, d = cluster.derived, paths = Paths(settings), instance = cluster.decodeInstance(of: host)
        var a = Builder()
        if passesRanktables(cluster, playbook) {
            a.add("--global-rank-table-path", paths.global + "/" + RanktableNames.globalMerge)
            a.add("--rank-table-path", instance.podCount > 1
                  ? "\(paths.global)/collect_files_d/\(RanktableNames.localMerge)"
                  : paths.decodeConfig + "/" + RanktableNames.local(host))
        }
        a.decodeLists(instance.serverIPList, cluster)
        a.add("--num-servers", String(server.deviceCount))
        a.add("--num-dp", String(instance.dataParallelSize))
        a.add("--server-offset", String(instance.serverOffset(of: host.name)))
        a.add("--model-path", settings.modelPath)
        a.add("--master-ip", server.hostIP)
        a.add("--role", "decode")
        a.add("--kv-role", "kv_consumer")
        a.add("--max-model-len", settings.modelLenMaxDecode)
        a.add("--master-port", String(host.nodePort))
        a.add("--base-api-port", String(server.apiPort))
        a.add("--tp", settings.decodeTensorParallelSize)
        a.add("--kv-rank", String(instance.kvRank))
        a.add("--kv-engine-id", String(instance.kvRank))
        a.add("--kv-parallel-size", kvParallelSize(cluster))
        a.add("--kv-connector", settings.kvConnector)
        a.add("--model-extra-cfg-path", Paths.containerCode + "/tests/test_config/test_config_decode.json")
        a.add("--gpu-util", gpuUtil)
        a.add("--additional-config", settings.flavour == .a3TwoPrefill ? decodePlacementConfig : decodeAdditionalConfig)
        a.add("--vllm-enable-mc2", "1")
        a.add("--extra-args", decodeExtraArgs)
        a.add("--hccl-buffsize", "1000")
        a.add("--hccl-op-expansion-mode", "AIV")
        a.add("--log-dir", paths.hostLogs(host))
        return PDRunArguments(pairs: a.pairs)
    }

    private struct Builder {
        var pairs: [Pair] = []
        mutating func add(_ option: String, _ value: String) { pairs.append(Pair(option: option, value: .literal(value))) }
        mutating func variable(_ option: String, _ name: String) { pairs.append(Pair(option: option, value: .variable(name))) }

        /// The decode address lists, pod count and interfaces every P and D host passes first. P hosts pass
        /// the list over all D hosts, D hosts their own instance's.
        mutating func decodeLists(_ list: String, _ cluster: Cluster) {
            let servers = list.replacingOccurrences(of: " ", with: "")
            add("--local-decode-server-ip-list", servers)
            add("--global-decode-server-ip-list", servers)
            add("--prefill-pod-num", String(cluster.derived.prefillPodNum))
            variable("--gloo-socket-ifname", PDRunArguments.interfaceVariable)
            variable("--tp-socket-ifname", PDRunArguments.interfaceVariable)
        }
    }
}

/// The text of a P or D host's run script (`vllm_run_for_p.sh`, `vllm_run_for_d.sh`). It prepares the
/// shell as the reference run scripts do (the same exported variables), then starts `pd_run.sh` in the
/// background with its output in the host's log directory. Every argument is written out when the script
/// is rendered, so the script reads the same to a person, to bash and to the simulator.
public enum RunScript {
    public static func text(for host: Host, in cluster: Cluster, playbook: PlaybookKind) -> String {
        let settings = cluster.settings, paths = Paths(settings)
        let arguments: PDRunArguments
        var multiNodePrefill: (masterAddress: String, tensorParallelSize: Int)?
        switch host.duty {
        case .prefill(let server, let kvRank):
            arguments = PDRunArguments.prefill(host, server, kvRank: kvRank, in: cluster, playbook: playbook)
            let instance = cluster.prefillInstance(of: host, server: server)
            if instance.isMultiNode && settings.flavour != .elastic { multiNodePrefill = (server.hostIP, instance.tensorParallelSize(of: host)) }
        case .decode(let server):
            arguments = PDRunArguments.decode(host, server, in: cluster, playbook: playbook)
        case .proxy:
            return "#!/bin/bash\necho \(Shell.quote("\(host.name) is a C host: it runs no vLLM server")) >&2\nexit 1\n"
        }
        let prefill = host.role == .prefill
        var lines = [
            "#!/bin/bash",
            "# Starts this host's \(prefill ? "prefill" : "decode") API servers through pd_run.sh, in the background.",
            ". ~/.bashrc",
            "export HCCL_CONNECT_TIMEOUT=1800",
            "export HCCL_EXEC_TIMEOUT=1800",
            "export ASCEND_GLOBAL_LOG_LEVEL=3",
            "export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
            "unset https_proxy http_proxy proxy",
        ]
        if settings.usesLMCache || settings.flavour == .elastic {
            lines.append("# LMCache reads its configuration file from LMCACHE_CONFIG_FILE.")
            lines.append("export LMCACHE_CONFIG_FILE=" + Shell.quote(paths.script(.lmcacheConfig)))
        }
        if let multiNodePrefill {
            lines += [
                "# A multi-node instance runs over Ray: the TP size spans every node of the instance.",
                "export MASTER_NODE_IP=" + Shell.quote(multiNodePrefill.masterAddress),
                "export RAY_EXPERIMENTAL_NOSET_ASCEND_RT_VISIBLE_DEVICES=1 RAY_CGRAPH_get_timeout=7200",
                "export PREFILL_TENSOR_PARALLEL_SIZE=\(multiNodePrefill.tensorParallelSize)",
                "ray stop --force",
            ]
        }
        lines.append("pip uninstall omni_placement -y")
        if !prefill {
            lines.append("python \(Paths.containerScripts)/process_nz_config.py \(nzConfig)")
        }
        lines.append("cd \(Paths.containerScripts)")
        lines.append("bash \(Paths.containerScripts)/pd_run.sh \\")
        for pair in arguments.pairs { lines.append("    \(pair.option) \(pair.value.word) \\") }
        let log = paths.hostLogs(host) + (prefill ? "/run_prefill.log" : "/run_decode.log")
        lines.append("    > \(Shell.quote(log)) 2>&1 &")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// The operator table the decode run script converts before its servers start.
    static let nzConfig = "/usr/local/Ascend/ascend-toolkit/latest/opp/built-in/op_impl/ai_core/tbe/config/ascend910_93/aic-ascend910_93-ops-info.json"
}
