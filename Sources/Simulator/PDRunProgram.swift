/// `pd_run.sh` modelled by its contract: the options it knows, the defaults it assigns before parsing them
/// (so a value the caller only exports is overwritten), what it exports, and how it starts vLLM's API
/// servers through `start_api_servers.py` — or, in a multi-node prefill instance, Ray.
public enum PDRunProgram {
    /// One program pd_run.sh starts.
    public struct Start: Sendable, Hashable {
        public var tool: String
        public var argv: [String]
        public var environment: [String: String]
    }

    /// What a run of pd_run.sh leads to.
    public struct Launch: Sendable, Hashable {
        /// `ray start …` on multi-node prefill hosts, before the API servers (head) or instead of them (worker).
        public var ray: Start?
        /// `python start_api_servers.py …`; nil on a Ray worker.
        public var apiServers: Start?
        /// pd_run.sh's variables after parsing, exported or not: what its API servers are started with.
        public var variables: [String: String]

        /// The variables of a launch that a summary shows: devices, HCCL and MC2 settings, the connector,
        /// the ranktables and the interfaces.
        public static let decisiveVariables = [
            "ROLE", "ASCEND_RT_VISIBLE_DEVICES", "VLLM_ENABLE_MC2", "HCCL_OP_EXPANSION_MODE", "HCCL_BUFFSIZE", "KV_CONNECTOR",
            "LMCACHE_CONFIG_FILE", "MOONCAKE_CONFIG_PATH", "RANK_TABLE_FILE_PATH", "GLOBAL_RANK_TABLE_FILE_PATH",
            "GLOO_SOCKET_IFNAME", "TP_SOCKET_IFNAME",
        ]

        /// The command lines started (shell-quoted), then `NAME=value` (or `NAME=(unset)`) for each
        /// decisive variable in the environment they are started with.
        public var summary: [String] {
            var lines: [String] = []
            for start in [ray, apiServers].compactMap({ $0 }) {
                lines.append(([start.tool] + start.argv).map { Shell.quote($0) }.joined(separator: " "))
            }
            let env = apiServers?.environment ?? ray?.environment ?? [:]
            for name in Self.decisiveVariables {
                lines.append("\(name)=" + (env[name] ?? "(unset)"))
            }
            return lines
        }
    }

    public enum Outcome: Sendable, Hashable {
        case started(Launch)
        /// pd_run.sh prints its help and exits 0 without starting anything.
        case rejected(word: String, reason: String)
    }

    /// Option → the variable it sets.
    public static let options: [String: String] = [
        "--global-rank-table-path": "GLOBAL_RANK_TABLE_FILE_PATH", "--rank-table-path": "RANK_TABLE_FILE_PATH",
        "--local-decode-server-ip-list": "LOCAL_DECODE_SERVER_IP_LIST", "--global-decode-server-ip-list": "GLOBAL_DECODE_SERVER_IP_LIST",
        "--role": "ROLE", "--prefill-pod-num": "PREFILL_POD_NUM", "--decode-pod-num": "DECODE_POD_NUM",
        "--vllm-llmdatadist-zmq-port": "VLLM_LLMDATADIST_ZMQ_PORT",
        "--hcc-intra-roce-enable": "HCCL_INTRA_ROCE_ENABLE", "--hcc-intra-pcie-enable": "HCCL_INTRA_PCIE_ENABLE",
        "--ascend-rt-visible-devices": "ASCEND_RT_VISIBLE_DEVICES", "--random-mode": "RANDOM_MODE",
        "--kv-cache-mod": "KV_CACHE_MOD", "--forward-time": "FORWARD_TIME", "--num-servers": "NUM_SERVERS",
        "--num-dp": "NUM_DP", "--server-offset": "SERVER_OFFSET", "--master-ip": "MASTER_IP", "--master-port": "MASTER_PORT",
        "--base-api-port": "BASE_API_PORT", "--gloo-socket-ifname": "GLOO_SOCKET_IFNAME", "--tp-socket-ifname": "TP_SOCKET_IFNAME",
        "--vllm-logging-level": "VLLM_LOGGING_LEVEL", "--vllm-use-v1": "VLLM_USE_V1",
        "--vllm-worker-multiproc-method": "VLLM_WORKER_MULTIPROC_METHOD", "--model-path": "MODEL_PATH",
        "--max-model-len": "MAX_MODEL_LEN", "--tp": "TP", "--served-model-name": "SERVED_MODEL_NAME", "--log-dir": "LOG_DIR",
        "--kv-connector": "KV_CONNECTOR", "--kv-buffer-device": "KV_BUFFER_DEVICE", "--kv-role": "KV_ROLE",
        "--kv-rank": "KV_RANK", "--kv-engine-id": "KV_ENGINE_ID", "--kv-parallel-size": "KV_PARALLEL_SIZE",
        "--extra-args": "EXTRA_ARGS", "--model-extra-cfg-path": "MODEL_EXTRA_CFG_PATH", "--gpu-util": "GPU_UTIL",
        "--vllm-enable-mc2": "VLLM_ENABLE_MC2", "--additional-config": "ADDITIONAL_CONFIG", "--hccl-buffsize": "HCCL_BUFFSIZE",
        "--hccl-op-expansion-mode": "HCCL_OP_EXPANSION_MODE", "--num-speculative-tokens": "NUM_SPECULATIVE_TOKENS",
    ]

    /// The values pd_run.sh assigns before it reads its options. A variable the caller exported keeps being
    /// exported, now with this value, unless an option sets it again.
    static let defaults: [(String, String)] = [
        ("GLOBAL_RANK_TABLE_FILE_PATH", "1p1d_save_dir/global_ranktable_merge.json"),
        ("RANK_TABLE_FILE_PATH", "save_dir_64/local_ranktable_7.242.108.64_0123.json"),
        ("LOCAL_DECODE_SERVER_IP_LIST", "7.242.108.196"), ("GLOBAL_DECODE_SERVER_IP_LIST", "7.242.108.196"),
        ("ROLE", "prefill"), ("PREFILL_POD_NUM", "1"), ("DECODE_POD_NUM", "1"), ("VLLM_LLMDATADIST_ZMQ_PORT", "5568"),
        ("HCCL_INTRA_ROCE_ENABLE", "1"), ("HCCL_INTRA_PCIE_ENABLE", "0"),
        ("NUM_SERVERS", "1"), ("NUM_DP", "1"), ("SERVER_OFFSET", "0"), ("MASTER_IP", "7.242.108.64"), ("MASTER_PORT", "8503"),
        ("BASE_API_PORT", "9001"), ("GLOO_SOCKET_IFNAME", "enp23s0f3"), ("TP_SOCKET_IFNAME", "enp23s0f3"),
        ("VLLM_LOGGING_LEVEL", "INFO"), ("VLLM_USE_V1", "1"), ("VLLM_WORKER_MULTIPROC_METHOD", "fork"),
        ("MODEL_PATH", "/home/dsv3/models/DeepSeek-V3-w8a8-0423"), ("TP", "4"), ("SERVED_MODEL_NAME", "deepseek"),
        ("MAX_MODEL_LEN", "4096"), ("LOG_DIR", "apiserverlog"), ("KV_CONNECTOR", "AscendHcclConnectorV1"),
        ("KV_BUFFER_DEVICE", "npu"), ("KV_ROLE", "kv_producer"), ("KV_RANK", "0"), ("KV_ENGINE_ID", "0"),
        ("KV_PARALLEL_SIZE", "2"), ("MODEL_EXTRA_CFG_PATH", "/workspace/omni_infer/test/test_config/test_config_prefill.json"),
        ("GPU_UTIL", "0.9"), ("EXTRA_ARGS", ""), ("ADDITIONAL_CONFIG", ""), ("VLLM_ENABLE_MC2", "0"), ("HCCL_BUFFSIZE", "0"),
        ("HCCL_OP_EXPANSION_MODE", ""), ("NUM_SPECULATIVE_TOKENS", "1"),
    ]

    /// Variables pd_run.sh always exports with their current values.
    static let exported = [
        "GLOBAL_RANK_TABLE_FILE_PATH", "RANK_TABLE_FILE_PATH", "LOCAL_DECODE_SERVER_IP_LIST", "GLOBAL_DECODE_SERVER_IP_LIST",
        "ROLE", "PREFILL_POD_NUM", "DECODE_POD_NUM", "VLLM_LLMDATADIST_ZMQ_PORT", "HCCL_INTRA_ROCE_ENABLE",
        "HCCL_INTRA_PCIE_ENABLE", "GLOO_SOCKET_IFNAME", "TP_SOCKET_IFNAME", "VLLM_LOGGING_LEVEL", "SERVER_OFFSET",
        "MODEL_EXTRA_CFG_PATH", "VLLM_ENABLE_MC2",
    ]

    /// Variables pd_run.sh exports with fixed values.
    static let fixedExports: [(String, String)] = [
        ("VLLM_USE_V1", "1"), ("VLLM_WORKER_MULTIPROC_METHOD", "fork"), ("USING_LCCL_COM", "0"), ("OMNI_USE_DSV3", "1"),
        ("HCCL_CONNECT_TIMEOUT", "1800"), ("HCCL_EXEC_TIMEOUT", "120"), ("TNG_HOST_COPY", "1"), ("AUTO_USE_UC_MEMORY", "1"),
        ("TASK_QUEUE_ENABLE", "2"), ("ENABLE_OVERWRITE_REQ_IDS", "1"),
    ]

    static let pythonPathPrefix = "/usr/local/Ascend/CANN-7.7/toolkit/python/site-packages:"

    /// Runs the model on `arguments` (pd_run.sh's argv without its own name) in `environment`.
    public static func run(arguments: [String], environment: [String: String]) -> Outcome {
        var shell = environment          // variables the shell sees, exported or not
        var exportedNames = Set(environment.keys)
        for (name, value) in defaults { shell[name] = value }
        var visibleDevicesSet = false
        var i = 0
        // The main loop reads two words per option; anything else prints the help and exits 0.
        while i < arguments.count {
            let word = arguments[i]
            if word == "-h" || word == "--help" {
                return .rejected(word: word, reason: "pd_run.sh prints its help for \(word) and exits 0, so nothing starts")
            }
            guard word.hasPrefix("--") else {
                return .rejected(word: word, reason: "pd_run.sh rejects the stray word '\(word)': it prints its help and exits 0, so nothing starts")
            }
            guard let variable = options[word] else {
                return .rejected(word: word, reason: "pd_run.sh rejects \(word): it prints its help and exits 0, so nothing starts")
            }
            guard i + 1 < arguments.count else {
                return .rejected(word: word, reason: "pd_run.sh gets no value for \(word): its `shift 2` fails and it loops forever, so nothing starts")
            }
            shell[variable] = arguments[i + 1]
            if variable == "ASCEND_RT_VISIBLE_DEVICES" { visibleDevicesSet = true }
            i += 2
        }
        let v = { (name: String) in shell[name] ?? "" }
        let transferConfig = """
        {
            "kv_connector": "\(v("KV_CONNECTOR"))",
            "kv_buffer_device": "\(v("KV_BUFFER_DEVICE"))",
            "kv_role": "\(v("KV_ROLE"))",
            "kv_rank": \(v("KV_RANK")),
            "engine_id": \(v("KV_ENGINE_ID")),
            "kv_parallel_size": \(v("KV_PARALLEL_SIZE"))
        }
        """
        shell["KV_TRANSFER_CONFIG"] = transferConfig
        exportedNames.formUnion(exported)
        if visibleDevicesSet { exportedNames.insert("ASCEND_RT_VISIBLE_DEVICES") }
        shell["PYTHONPATH"] = pythonPathPrefix + v("PYTHONPATH")
        exportedNames.insert("PYTHONPATH")
        for (name, value) in fixedExports {
            shell[name] = value
            exportedNames.insert(name)
        }
        if !v("HCCL_OP_EXPANSION_MODE").isEmpty { exportedNames.insert("HCCL_OP_EXPANSION_MODE") }
        // `[ $HCCL_BUFFSIZE -gt 0 ]`: an empty or non-numeric value is a test error, so it is not exported.
        if let size = Int(v("HCCL_BUFFSIZE")), size > 0 { exportedNames.insert("HCCL_BUFFSIZE") }

        var env: [String: String] = [:]
        for name in exportedNames { if let value = shell[name] { env[name] = value } }

        let apiServers = Start(tool: "python", argv: [
            "start_api_servers.py", "--num-servers", v("NUM_SERVERS"), "--num-dp", v("NUM_DP"), "--server-offset", v("SERVER_OFFSET"),
            "--model-path", v("MODEL_PATH"), "--master-ip", v("MASTER_IP"), "--max-model-len", v("MAX_MODEL_LEN"),
            "--master-port", v("MASTER_PORT"), "--base-api-port", v("BASE_API_PORT"), "--tp", v("TP"),
            "--served-model-name", v("SERVED_MODEL_NAME"), "--log-dir", v("LOG_DIR"), "--kv-transfer-config", transferConfig,
            "--gpu-util", v("GPU_UTIL"), "--additional-config", v("ADDITIONAL_CONFIG"), "--enable-mtp",
            "--num-speculative-tokens", v("NUM_SPECULATIVE_TOKENS"), "--extra-args", v("EXTRA_ARGS"),
        ], environment: env)

        // Several addresses in NODE_IP_LIST: the host whose IP is HOST_IP heads a Ray cluster and starts the
        // API servers; every other host joins it and starts none.
        guard v("NODE_IP_LIST").contains(",") else {
            return .started(Launch(ray: nil, apiServers: apiServers, variables: shell))
        }
        if v("IP") == v("HOST_IP") {
            var headEnv = env
            headEnv["RAY_USAGE_STATS_ENABLED"] = "0"
            var servers = apiServers
            servers.environment = headEnv
            return .started(Launch(ray: Start(tool: "ray", argv: ["start", "--head", "--num-gpus=\(v("NUM_SERVERS"))"], environment: headEnv),
                                   apiServers: servers, variables: shell))
        }
        return .started(Launch(ray: Start(tool: "ray", argv: ["start", "--address=\(v("HOST_IP")):6379", "--num-gpus=\(v("NUM_SERVERS"))"],
                                          environment: env),
                               apiServers: nil, variables: shell))
    }
}
