/// One task of the playbook as data: what it is called, its tags, where it runs and what it does.
public struct Step: Sendable, Hashable {
    /// Stable identifier, e.g. `run-container-prefill`.
    public var id: String
    /// The task's human name.
    public var name: String
    /// Tags, including those inherited from enclosing blocks; `always` runs under any selection.
    public var tags: [String]
    public var hosts: HostSelector
    public var action: StepAction
    /// Failures of this step are recorded but never stop the run (`failed_when: false`).
    public var neverFails: Bool
    /// Upper bound per host, in seconds.
    public var timeout: Double

    public init(id: String, name: String, tags: [String], hosts: HostSelector, action: StepAction,
                neverFails: Bool = false, timeout: Double = 600) {
        self.id = id
        self.name = name
        self.tags = tags
        self.hosts = hosts
        self.action = action
        self.neverFails = neverFails
        self.timeout = timeout
    }
}
