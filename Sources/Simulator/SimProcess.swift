import Core

/// A process running in a container (or on the host), with the ports it holds.
public struct SimProcess: Sendable, Hashable {
    public var pid: Int
    /// The command line, as `ps aux` would show it; kill scripts match patterns against it.
    public var command: String
    /// Container name, or nil for a process outside any container.
    public var container: String?
    public var ports: [Int]
    /// Virtual time at which the process serves requests.
    public var readyAt: Double
    public var host: String?
}

/// A running container: `docker rm -f` removes it from its machine, so the model holds no stopped ones.
public struct SimContainer: Sendable, Hashable {
    public var name: String
    public var image: String
    public var env: [String: String]
    public var mounts: [String]
    /// Code copied in by `docker cp`, and packages installed.
    public var hasCode = false
    public var packagesInstalled = false
    /// Files that exist only inside the container (not under a bind mount).
    public var files: [String: SimFile] = [:]
}
