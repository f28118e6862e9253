import Core

/// What the modelled programs report while a step runs, for the invariant checkers to judge after it.
/// A program reports what happened to it, as a real one would leave it in its log; it does not decide
/// whether the step failed.
public enum Observation: Sendable, Hashable {
    /// A program started in the background (`docker exec -d`, `nohup … &`) did not come up, and why. The
    /// command that started it still returned 0.
    case startFailed(program: String, reason: String)
    /// nginx was (re)started in the container with this config.
    case proxyStarted(container: String)
    /// A file search on the host printed these paths.
    case filesFound(FileQuery, [String])
}
