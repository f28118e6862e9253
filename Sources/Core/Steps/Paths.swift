/// Concrete paths of a deployment, from its settings. The fixed ones are joined once and shared by every
/// copy, since steps ask for them on every host.
public struct Paths: Sendable {
    private final class Joined: Sendable {
        let settings: DeploymentSettings
        let global: String, prefillConfig: String, decodeConfig: String, executorCode: String
        let scripts: [String]
        let logPrefix: String, executorLogPrefix: String

        init(_ settings: DeploymentSettings) {
            self.settings = settings
            global = settings.ranktableSavePath + "/global"
            prefillConfig = settings.ranktableSavePath + "/prefill_config"
            decodeConfig = settings.ranktableSavePath + "/decode_config"
            executorCode = settings.codePath + "/omniinfer"
            scripts = StepAction.GeneratedFile.allCases.map { settings.scriptsPath + "/" + $0.rawValue }
            logPrefix = settings.logPath + "/"
            executorLogPrefix = settings.logPathInExecutor + "/"
        }
    }

    private let joined: Joined
    public var settings: DeploymentSettings { joined.settings }

    public init(_ settings: DeploymentSettings) { joined = Joined(settings) }

    /// Where the code lives inside containers (copied there by `docker cp`).
    public static let containerCode = "/workspace/omniinfer"
    public static let containerScripts = "/workspace/omniinfer/tools/scripts"
    public static let procTrace = "/tmp/process/proc_trace.txt"

    /// The last component of a path (`basename`), the path itself when it has no slash.
    public static func fileName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    public var ranktable: String { joined.settings.ranktableSavePath }
    public var global: String { joined.global }
    public var prefillConfig: String { joined.prefillConfig }
    public var decodeConfig: String { joined.decodeConfig }
    public var executorCode: String { joined.executorCode }
    public func script(_ file: StepAction.GeneratedFile) -> String { joined.scripts[file.index] }
    public func hostLogs(_ host: Host) -> String { joined.logPrefix + host.name }
    public func executorLogs(_ host: Host) -> String { joined.executorLogPrefix + host.name }

    public func resolve(_ ref: StepAction.PathRef, for host: Host) -> String {
        switch ref {
        case .codePath: return joined.settings.codePath
        case .scriptsPath: return joined.settings.scriptsPath
        case .ranktableRoot: return ranktable
        case .ranktableGlobal: return global
        case .hostLogDirectory: return hostLogs(host)
        }
    }

    /// The directory a host's `gen` run writes into.
    public func localRanktableDirectory(_ role: Role) -> String { role == .prefill ? prefillConfig : decodeConfig }
}
