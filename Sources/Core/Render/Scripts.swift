/// Bodies of the files the playbook writes on hosts. Every inventory-derived value is shell-quoted.
public struct Scripts: Sendable {
    public let cluster: Cluster
    public let paths: Paths

    private let settings: DeploymentSettings
    /// The run scripts by role and by whether they pass ranktables, cut where the host's log directory goes.
    private var runServerPieces: [[Substring]] = []
    /// The texts of the files that do not depend on the host, rendered once, by `GeneratedFile.index`.
    private var fixed: [String?] = []

    public init(cluster: Cluster) {
        self.cluster = cluster
        self.paths = Paths(cluster.settings)
        self.settings = cluster.settings
        runServerPieces = Self.runServerVariants.map { role, withRanktables in
            runServer(role: role, logs: Self.logsMarker, withRanktables: withRanktables)
                .split(separator: Self.logsMarker, omittingEmptySubsequences: false)
        }
        fixed = StepAction.GeneratedFile.allCases.map { hostIndependentContent($0) }
    }

    /// The run scripts precomputed, in the order of `runServerPieces`.
    private static let runServerVariants: [(role: Role, withRanktables: Bool)] =
        [(.prefill, true), (.prefill, false), (.decode, true), (.decode, false)]

    /// Stands for the quoted log directory in the precomputed run scripts; no quoted path contains it.
    private static let logsMarker = "\u{0}"

    private var q: (String) -> String { Shell.quote }

    public func content(_ file: StepAction.GeneratedFile, for host: Host, playbook: PlaybookKind = .main) -> String {
        switch file {
        case .generatePrefillRanktable, .generateDecodeRanktable, .generateGlobalRanktable, .killPython, .killRay, .killNginx,
             .lmcacheConfig:
            return fixed[file.index]!
        case .runPrefill, .runDecode: return runServer(host, withRanktables: playbook == .main)
        case .runProxy: return runProxy(host)
        case .mooncakeConfig: return mooncakeConfig(host)
        }
    }

    /// The text of a file that is the same on every host; nil for the per-host ones.
    private func hostIndependentContent(_ file: StepAction.GeneratedFile) -> String? {
        switch file {
        case .generatePrefillRanktable: return generateLocal(role: .prefill)
        case .generateDecodeRanktable: return generateLocal(role: .decode)
        case .generateGlobalRanktable: return generateGlobal()
        case .killPython: return kill("python")
        case .killRay: return kill("ray")
        case .killNginx: return kill("nginx")
        case .lmcacheConfig: return lmcacheConfig()
        case .runPrefill, .runDecode, .runProxy, .mooncakeConfig: return nil
        }
    }

    func kill(_ pattern: String) -> String {
        "#!/bin/bash\nps aux | grep \(q(pattern)) | grep -v grep | awk '{print $2}' | xargs -r kill -9\n"
    }

    func generateLocal(role: Role) -> String {
        let (listVar, saveVar, flag) = role == .prefill
            ? ("PREFILL_SERVER_LIST", "PREFILL_RANKTABLE_SAVE_PATH", "--prefill-server-list \"$PREFILL_SERVER_LIST\" --api-server")
            : ("DECODE_SERVER_LIST", "DECODE_RANKTABLE_SAVE_PATH", "--decode-server-list $DECODE_SERVER_LIST")
        return """
        #!/bin/bash
        # Writes this host's local ranktables for devices $\(listVar) into $\(saveVar).
        source ~/.bashrc
        rm -rf "$\(saveVar)"
        mkdir -p "$\(saveVar)"
        python \(Paths.containerScripts)/pd_ranktable_tools.py --mode gen \(flag) --save-dir "$\(saveVar)"

        """
    }

    func generateGlobal() -> String {
        let d = cluster.derived
        return """
        #!/bin/bash
        # Merges the collected local ranktables into global_ranktable_merge.json.
        set -e
        source ~/.bashrc
        tools=\(Paths.containerScripts)/pd_ranktable_tools.py
        global=\(q(paths.global))
        cd "$global"
        decode_list=$(echo \(q(d.decodeRanktableList)) | awk '$1=$1' | tr ',' ' ')
        prefill_groups=$(echo \(q(d.prefillMergeRanktableList)) | awk '$1=$1' | tr ',' ' ')
        prefill_list=""
        IFS=';' read -ra parts <<< "$prefill_groups"
        for part in "${parts[@]}"; do
            ip=$(echo "$part" | grep -oE 'local_ranktable_([0-9]{1,3}\\.){3}[0-9]{1,3}_' | head -1 | grep -oE '([0-9]{1,3}\\.){3}[0-9]{1,3}')
            [ -z "$ip" ] && ip=$(echo "$part" | grep -oE '([0-9]{1,3}\\.){3}[0-9]{1,3}' | head -1)
            mkdir -p "$global/collect_files_p/$ip"
            if [[ "$part" == *" "* ]]; then
                python "$tools" --mode merge-local --local-ranktable-list $part --save-dir "$global/collect_files_p/$ip"
                prefill_list="$prefill_list collect_files_p/$ip/\(RanktableNames.localMerge)"
            else
                prefill_list="$prefill_list $part"
            fi
        done
        api_server_files=$(ls collect_files_p/api/*.json | head -1)
        if [ "$DECODE_POD_NUM" -gt 1 ]; then
            python "$tools" --mode merge-local --local-ranktable-list $decode_list --save-dir "$global/collect_files_d"
            decode_list=collect_files_d/\(RanktableNames.localMerge)
        fi
        python "$tools" --mode merge-all --api-server-list $api_server_files --prefill-server-list $prefill_list --decode-server-list $decode_list --save-dir "$global"

        """
    }

    /// The run script of a P or D server: fixed settings, the local ranktable, then pd_run.sh in the background.
    /// Add-node servers get no ranktable arguments (pd_run.sh falls back to its defaults; LMCache ignores them).
    /// The host's run script: the role's text with the host's log directory filled in.
    func runServer(_ host: Host, withRanktables: Bool) -> String {
        guard let variant = Self.runServerVariants.firstIndex(where: { $0.role == host.role && $0.withRanktables == withRanktables }) else {
            return runServer(role: host.role, logs: q(paths.hostLogs(host)), withRanktables: withRanktables)
        }
        let pieces = runServerPieces[variant]
        let logs = q(paths.hostLogs(host))
        var text = ""
        text.reserveCapacity(pieces.reduce(logs.utf8.count * (pieces.count - 1)) { $0 + $1.utf8.count })
        for (i, piece) in pieces.enumerated() {
            if i > 0 { text += logs }
            text += piece
        }
        return text
    }

    private func runServer(role: Role, logs: String, withRanktables: Bool) -> String {
        let prefill = role == .prefill
        var lines = [
            "#!/bin/bash",
            "# Starts the \(prefill ? "prefill" : "decode") API servers of this host in the background.",
            "source ~/.bashrc",
            "unset http_proxy https_proxy proxy",
            "export HCCL_CONNECT_TIMEOUT=1800 HCCL_EXEC_TIMEOUT=1800 PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
            "export ASCEND_GLOBAL_LOG_LEVEL=3 VLLM_ENABLE_MC2=1 HCCL_OP_EXPANSION_MODE=AIV",
            "GPU_UTIL=0.92",
        ]
        if prefill {
            lines += [
                "MODEL_EXTRA_CFG_PATH=\(Paths.containerCode)/tests/test_config/test_config_prefill.json",
                "EXTRA_ARGS=\"--max-num-batched-tokens 30000 --enforce-eager --enable-expert-parallel --disable-log-requests --max-num-seqs 16 --no-enable-prefix-caching\"",
                "if [[ \"$NODE_IP_LIST\" == *,* ]]; then",
                "    export MASTER_NODE_IP=$HOST_IP NNODES NODE_RANK NODE_IP_LIST",
                "    export RAY_EXPERIMENTAL_NOSET_ASCEND_RT_VISIBLE_DEVICES=1 RAY_CGRAPH_get_timeout=7200",
                "    ray stop --force",
                "    EXTRA_ARGS=\"$EXTRA_ARGS --distributed-executor-backend ray\"",
                "    RANK_TABLE=$(ls \(paths.global)/collect_files_p/$HOST_IP/local_*merge.json)",
                "    TP=$((PREFILL_TENSOR_PARALLEL_SIZE * ($(echo \"$NODE_IP_LIST\" | tr -cd ',' | wc -c) + 1)))",
                "else",
                "    RANK_TABLE=$(ls \(paths.prefillConfig)/local_*$(echo \"$PREFILL_SERVER_LIST\" | tr -d ', ').json)",
                "    TP=$PREFILL_TENSOR_PARALLEL_SIZE",
                "fi",
                "ROLE_ARGS=\"--role prefill --kv-role $([ \"$KV_CONNECTOR\" = LMCacheConnectorV1 ] && echo kv_both || echo kv_producer) --kv-rank $KV_RANK --kv-engine-id $KV_RANK --prefill-server-list $PREFILL_SERVER_LIST --tp $TP --max-model-len $MODEL_LEN_MAX_PREFILL --log-dir \(logs)\"",
                "LOG_FILE=\(logs)/run_prefill.log",
            ]
        } else {
            lines += [
                "export HCCL_BUFFSIZE=1000",
                "MODEL_EXTRA_CFG_PATH=\(Paths.containerCode)/tests/test_config/test_config_decode.json",
                "EXTRA_ARGS=\"--enable-expert-parallel --disable-log-requests --max-num-seqs 32 --no-enable-prefix-caching\"",
                "python \(Paths.containerScripts)/process_nz_config.py /usr/local/Ascend/ascend-toolkit/latest/opp/built-in/op_impl/ai_core/tbe/config/ascend910_93/aic-ascend910_93-ops-info.json",
                "declare -A config_dict=\(cluster.derived.decodeServerOffsetBash)",
                "SERVER_OFFSET=${config_dict[$HOST]:-0}",
                "if [ \"$DECODE_POD_NUM\" -gt 1 ]; then",
                "    RANK_TABLE=$(ls \(paths.global)/collect_files_d/local_*merge.json)",
                "else",
                "    RANK_TABLE=$(ls \(paths.decodeConfig)/local_*.json)",
                "fi",
                "NUM_DP=$(( $(echo \"$DECODE_DATA_PARALLEL_SIZE\" | tr -cd ',' | wc -c) + 1 ))",
                "ROLE_ARGS=\"--role decode --kv-role kv_consumer --kv-rank $PREFILL_POD_NUM --kv-engine-id $PREFILL_POD_NUM --decode-server-list $DECODE_SERVER_LIST --tp $DECODE_TENSOR_PARALLEL_SIZE --num-servers $NUM_SERVERS --num-dp $NUM_DP --server-offset $SERVER_OFFSET --max-model-len $MODEL_LEN_MAX_DECODE --log-dir \(logs)\"",
                "LOG_FILE=\(logs)/run_decode.log",
            ]
        }
        lines += [
            "if [ \"$KV_CONNECTOR\" = LMCacheConnectorV1 ]; then",
            "    export MOONCAKE_CONFIG_PATH LMCACHE_CONFIG_FILE=$LMCACHE_MOONCAKE_CONFIG_PATH",
            "fi",
            "KV_PARALLEL_SIZE=$((PREFILL_POD_NUM + 1))",
            "SERVER_IP_LIST=$(echo \"$SERVER_IP_LIST\" | tr -d ' ')",
            "cd \(Paths.containerScripts)",
            "nohup bash pd_run.sh \(withRanktables ? "--global-rank-table-path \(paths.global)/\(RanktableNames.globalMerge) --rank-table-path $RANK_TABLE " : "")$ROLE_ARGS --model-path \"$MODEL_PATH\" --master-ip $HOST_IP --master-port $MASTER_PORT --base-api-port $API_PORT --local-decode-server-ip-list $SERVER_IP_LIST --global-decode-server-ip-list $SERVER_IP_LIST --prefill-pod-num $PREFILL_POD_NUM --kv-parallel-size $KV_PARALLEL_SIZE --kv-connector $KV_CONNECTOR --gloo-socket-ifname $SOCKET_IFNAME --tp-socket-ifname $SOCKET_IFNAME --gpu-util $GPU_UTIL --extra-args \"$EXTRA_ARGS\" --model-extra-cfg-path $MODEL_EXTRA_CFG_PATH > \"$LOG_FILE\" 2>&1 &",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    func runProxy(_ host: Host) -> String {
        let d = cluster.derived
        return """
        #!/bin/bash
        # Regenerates nginx.conf with the current API server lists and (re)starts the global proxy.
        prefill_result=$(echo \(q(d.prefillAPIServerList)) | awk '$1=$1')
        decode_result=""
        for item in $(echo \(q(d.decodeAPIServerList)) | tr ',' ' '); do
            addr=${item%@*}; extra=${item##*@}; ip=${addr%:*}; port=${addr##*:}
            for ((i = 0; i <= extra; i++)); do decode_result="$decode_result,$ip:$((port + i))"; done
        done
        decode_result=${decode_result#,}
        cd \(Paths.containerScripts)
        bash global_proxy.sh --listen-port "$PROXY_NODE_PORT" --prefill-servers-list "$prefill_result" --decode-servers-list "$decode_result" --log-file \(q(paths.hostLogs(host) + "/nginx_error.log")) --log-level notice --core-num 4 --start-core-index 16 --prefill-lb-sdk "$PREFILL_LB_SDK" --decode-lb-sdk "$DECODE_LB_SDK" --prefill-max-num-seqs 16 --decode-max-num-seqs 32

        """
    }

    func mooncakeConfig(_ host: Host) -> String {
        guard let ports = cluster.globals.lmcachePorts, let c = cluster.proxy.first else { return "" }
        return """
        {"metadata_server": "etcd://\(c.address):\(ports.etcd)", "local_hostname": "\(host.address)", "protocol": "tcp", "transfer_timeout": 60, "global_segment_size": 17179869184, "master_server_address": "\(c.address):\(ports.master)"}

        """
    }

    func lmcacheConfig() -> String {
        guard let ports = cluster.globals.lmcachePorts, let c = cluster.proxy.first else { return "" }
        return """
        chunk_size: 256
        local_cpu: false
        max_local_cpu_size: 5.0
        remote_url: "mooncakestore://\(c.address):\(ports.master)"
        remote_serde: "naive"
        external_lookup_client: "mooncakestore://\(c.address):\(ports.master)"
        extra_config:
          retmote_enable_mla_worker_id_as0: true

        """
    }
}
