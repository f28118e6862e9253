/// The deployment knobs of the reference playbook's server template (its play `environment:` and `ranktable_save_path`),
/// with the reference playbook's defaults. Keys keep the reference playbook's names so operators recognise them.
public struct DeploymentSettings: Sendable, Hashable {
    public var logPath = "/data/log_path"
    /// The A3 template's log directories of the two prefill instances of a machine (groups PA and PB).
    public var logPathA = "/data/log_path/a"
    public var logPathB = "/data/log_path/b"
    public var modelPath = "/data/models/DeepSeek-R1-w8a8-fusion"
    public var modelLenMaxPrefill = "32000"
    public var modelLenMaxDecode = "16384"
    public var logPathInExecutor = "/data/log_path_in_executor"
    public var codePath = "/data/local_code_path"
    public var dockerImageID = "REPOSITORY:TAG"
    public var dockerNamePrefill = "you_name_omni_infer_prefill"
    public var dockerNameDecode = "you_name_omni_infer_decode"
    public var dockerNameProxy = "you_name_omni_infer_proxy"
    public var scriptsPath = "/tmp/scripts_path"
    public var prefillLBSDK = "pd_score_balance"
    public var decodeLBSDK = "pd_score_balance"
    public var decodeTensorParallelSize = "1"
    public var kvConnector = "AscendHcclConnectorV1"
    public var ranktableSavePath = "/tmp/ranktable_save_path"
    /// "1" starts the Omni Proxy (omni_proxy.sh, KV-event aware routing) instead of global_proxy.sh; any
    /// other value keeps global_proxy.sh.
    public var useOmniProxy = "0"
    /// The server template the deployment follows.
    public var flavour = Flavour.main

    public init() {}

    /// Every knob: its key as written in a scenario or the reference playbook's playbook, and where it is stored.
    nonisolated(unsafe) public static let keys: [(name: String, path: WritableKeyPath<DeploymentSettings, String>)] = [
        ("LOG_PATH", \.logPath),
        ("LOG_PATH_A", \.logPathA),
        ("LOG_PATH_B", \.logPathB),
        ("MODEL_PATH", \.modelPath),
        ("MODEL_LEN_MAX_PREFILL", \.modelLenMaxPrefill),
        ("MODEL_LEN_MAX_DECODE", \.modelLenMaxDecode),
        ("LOG_PATH_IN_EXECUTOR", \.logPathInExecutor),
        ("CODE_PATH", \.codePath),
        ("DOCKER_IMAGE_ID", \.dockerImageID),
        ("DOCKER_NAME_P", \.dockerNamePrefill),
        ("DOCKER_NAME_D", \.dockerNameDecode),
        ("DOCKER_NAME_C", \.dockerNameProxy),
        ("SCRIPTS_PATH", \.scriptsPath),
        ("PREFILL_LB_SDK", \.prefillLBSDK),
        ("DECODE_LB_SDK", \.decodeLBSDK),
        ("DECODE_TENSOR_PARALLEL_SIZE", \.decodeTensorParallelSize),
        ("KV_CONNECTOR", \.kvConnector),
        ("ranktable_save_path", \.ranktableSavePath),
        ("USE_OMNI_PROXY", \.useOmniProxy),
    ]

    public var usesLMCache: Bool { kvConnector == "LMCacheConnectorV1" }

    /// The run scripts test `[ ${USE_OMNI_PROXY} = "1" ]`: only the exact text 1 selects the Omni Proxy.
    /// The elastic and A3 templates have no Omni Proxy branch.
    public var usesOmniProxy: Bool { useOmniProxy == "1" && flavour == .main }

    public func containerPrefix(for role: Role) -> String {
        switch role {
        case .prefill: return dockerNamePrefill
        case .decode: return dockerNameDecode
        case .proxy: return dockerNameProxy
        }
    }

    /// The P and D container names of a host name: what the playbook inspects on P/D hosts.
    public func serverContainerNames(of hostName: String) -> [String] {
        [dockerNamePrefill + "_" + hostName, dockerNameDecode + "_" + hostName]
    }

    /// The containers the cleanup steps look for on `host`: both server names on P/D hosts, the proxy's on C.
    public func containersToRemove(on host: Host) -> [String] {
        host.role == .proxy ? [dockerNameProxy + "_" + host.name] : serverContainerNames(of: host.name)
    }

    /// `<prefix>_<inventory host name>`, the container of `host` in its own role.
    public func containerName(for host: Host) -> String {
        containerPrefix(for: host.role) + "_" + host.name
    }
}
