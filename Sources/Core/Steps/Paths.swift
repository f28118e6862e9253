/// Concrete paths of a deployment, from its settings.
public struct Paths: Sendable {
    public let settings: DeploymentSettings

    public init(_ settings: DeploymentSettings) { self.settings = settings }

    /// Where the code lives inside containers (copied there by `docker cp`).
    public static let containerCode = "/workspace/omniinfer"
    public static let containerScripts = "/workspace/omniinfer/tools/scripts"
    public static let procTrace = "/tmp/process/proc_trace.txt"

    /// The last component of a path (`basename`), the path itself when it has no slash.
    public static func fileName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    public var ranktable: String { settings.ranktableSavePath }
    /// Where the global ranktable is generated, and where the executor stages the local ones.
    public var global: String { settings.ranktableSavePath + "/global" }
    /// Where P hosts' `gen` runs write their local ranktables.
    public var prefillConfig: String { settings.ranktableSavePath + "/prefill_config" }
    /// Where D hosts' `gen` runs write their local ranktables.
    public var decodeConfig: String { settings.ranktableSavePath + "/decode_config" }
    /// The code checkout: on the executor, and where `sync_code` copies it on every host (the same path).
    public var code: String { settings.codePath + "/omniinfer" }
    public func script(_ file: StepAction.GeneratedFile) -> String { settings.scriptsPath + "/" + file.rawValue }
    /// The directory a host's servers, proxy and scripts log into. The A3 template logs straight into the
    /// container's LOG_PATH: LOG_PATH_A or LOG_PATH_B for the prefill instances, LOG_PATH for the others.
    public func hostLogs(_ host: Host) -> String {
        settings.flavour == .a3TwoPrefill ? containerLogPath(host) : settings.logPath + "/" + host.name
    }

    /// The LOG_PATH the host's container is started with.
    public func containerLogPath(_ host: Host) -> String {
        switch settings.flavour.prefillSlot(of: host) {
        case 0?: return settings.logPathA
        case 1?: return settings.logPathB
        default: return settings.logPath
        }
    }

    /// Where pip_install writes its log: `<container LOG_PATH>/<host>/pip.log` in every template. The A3
    /// template creates no `<host>` directory there, so the redirect fails.
    public func pipLog(_ host: Host) -> String { containerLogPath(host) + "/" + host.name + "/pip.log" }
    public func executorLogs(_ host: Host) -> String { settings.logPathInExecutor + "/" + host.name }

    public func resolve(_ ref: StepAction.PathRef, for host: Host) -> String {
        switch ref {
        case .codePath: return settings.codePath
        case .scriptsPath: return settings.scriptsPath
        case .ranktableRoot: return ranktable
        case .ranktableGlobal: return global
        case .hostLogDirectory: return hostLogs(host)
        }
    }

    /// The directory a host's `gen` run writes into.
    public func localRanktableDirectory(_ role: Role) -> String { role == .prefill ? prefillConfig : decodeConfig }
}
