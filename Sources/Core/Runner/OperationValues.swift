/// `NAME=value` passed to a container with `-e`.
public struct EnvVar: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A container started with `docker run -d`: privileged, host network, the NPU devices, bash as its
/// entry point, and host directories mounted at the same paths.
public struct ContainerRun: Sendable, Hashable {
    public var name: String
    public var image: String
    public var environment: [EnvVar]
    /// Host directories mounted at the same path inside the container.
    public var mounts: [String]
    /// Further `host:container` mounts (the time zone).
    public var extraMounts: [String]
    public var devices: [String]
    public var workingDirectory: String

    public init(name: String, image: String, environment: [EnvVar], mounts: [String], extraMounts: [String] = [],
                devices: [String], workingDirectory: String) {
        self.name = name
        self.image = image
        self.environment = environment
        self.mounts = mounts
        self.extraMounts = extraMounts
        self.devices = devices
        self.workingDirectory = workingDirectory
    }
}

/// A program run in a container with `docker exec`; `detached` returns at once (`-d`), as the playbook
/// starts servers.
public struct ContainerExec: Sendable, Hashable {
    public var container: String
    public var environment: [EnvVar]
    public var detached: Bool
    public var program: ContainerProgram

    public init(container: String, environment: [EnvVar] = [], detached: Bool = false, program: ContainerProgram) {
        self.container = container
        self.environment = environment
        self.detached = detached
        self.program = program
    }
}

/// The programs the playbook runs in containers, with the values they are run with.
public enum ContainerProgram: Sendable, Hashable {
    /// A script file, run by bash: the generated scripts on the host, or the repository's own.
    case script(String)
    /// Reinstall vLLM and omniinfer from the copied code, output to `log`; then LMCache when `lmcacheLog`
    /// is set.
    case reinstallPackages(log: String, lmcacheLog: String?)
    /// LMCache's `install.sh`, output to `log`; it appends Mooncake's library path to `~/.bashrc`.
    case installLMCache(log: String)
    case etcd(address: String, port: Int, log: String)
    case mooncakeMaster(address: String, rpcPort: Int, metricsPort: Int, log: String)
    /// `chmod +x` a file.
    case makeExecutable(String)
    /// SIGTERM to every vLLM process in the container: the servers finish their requests and exit (the
    /// elastic template's scale-in; never SIGKILL, which would drop the requests in flight).
    case terminateServers
}

/// Files in one directory whose names are `prefix`, one or more digits, then `suffix`.
public struct FileQuery: Sendable, Hashable {
    public var directory: String
    public var prefix: String
    public var suffix: String

    public init(directory: String, prefix: String, suffix: String) {
        self.directory = directory
        self.prefix = prefix
        self.suffix = suffix
    }

    public func matches(fileName name: String) -> Bool {
        guard name.count > prefix.count + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else { return false }
        return name.dropFirst(prefix.count).dropLast(suffix.count).allSatisfy { $0 >= "0" && $0 <= "9" }
    }
}

/// Waiting until a line with `text` appears in a file inside a container, checking every
/// `intervalSeconds`.
public struct LogWait: Sendable, Hashable {
    public var container: String
    public var path: String
    public var text: String
    public var timeoutSeconds: Int
    public var intervalSeconds: Int

    public init(container: String, path: String, text: String, timeoutSeconds: Int, intervalSeconds: Int) {
        self.container = container
        self.path = path
        self.text = text
        self.timeoutSeconds = timeoutSeconds
        self.intervalSeconds = intervalSeconds
    }
}
