/// Names of the environment variables that omnisim's commands set and its generated scripts (or the
/// programs they start) read. Both sides use these constants, so a name cannot drift between them.
public enum EnvName {
    /// The network interface of the host's default route, known only when a server starts.
    public static let socketInterface = "SOCKET_IFNAME"
    public static let logPath = "LOG_PATH"
    public static let modelPath = "MODEL_PATH"
    public static let kvConnector = "KV_CONNECTOR"
    public static let ranktableSavePath = "RANKTABLE_SAVE_PATH"
    public static let proxyNodePort = "PROXY_NODE_PORT"
    public static let prefillLBSDK = "PREFILL_LB_SDK"
    public static let decodeLBSDK = "DECODE_LB_SDK"
    /// Read by the global ranktable script: more than one D host means their local ranktables are merged first.
    public static let decodePodNum = "DECODE_POD_NUM"
    public static let prefillPodNum = "PREFILL_POD_NUM"
    public static let kvRank = "KV_RANK"
    public static let useOmniProxy = "USE_OMNI_PROXY"
    /// The port a P server's KV connector advertises (pd_run.sh's default 5568).
    public static let zmqPort = "VLLM_LLMDATADIST_ZMQ_PORT"
    /// The seed of Python's string hashing, which vLLM's prefix-cache block hashes and the Omni Proxy must share.
    public static let pythonHashSeed = "PYTHONHASHSEED"

    /// The device list a host's ranktable `gen` run reads.
    public static func serverList(_ role: Role) -> String { role == .prefill ? "PREFILL_SERVER_LIST" : "DECODE_SERVER_LIST" }
    /// The directory a host's ranktable `gen` run writes into.
    public static func ranktableSaveDirectory(_ role: Role) -> String {
        role == .prefill ? "PREFILL_RANKTABLE_SAVE_PATH" : "DECODE_RANKTABLE_SAVE_PATH"
    }
}
