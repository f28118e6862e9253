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
    /// Set when a play-wide condition turns the step off (e.g. no etcd/Mooncake ports): every host skips it.
    public var disabledReason: String?
    /// Which playbook the step belongs to; add-node steps start servers without ranktables.
    public var playbook: PlaybookKind = .main

    public init(id: String, name: String, tags: [String], hosts: HostSelector, action: StepAction,
                neverFails: Bool = false, timeout: Double = 600, disabledReason: String? = nil) {
        self.id = id
        self.name = name
        self.tags = tags
        self.hosts = hosts
        self.action = action
        self.neverFails = neverFails
        self.timeout = timeout
        self.disabledReason = disabledReason
    }

    /// Whether the step runs under a tag selection, as ansible decides it: `--skip-tags` wins; `always`
    /// runs unless skipped explicitly; with no `--tags` (or `all`) everything but `never` steps runs; a
    /// `never` step runs only when one of its tags is asked for.
    public func selected(tags: Set<String>, skipTags: Set<String>) -> Bool {
        if !skipTags.isDisjoint(with: self.tags) { return false }
        if self.tags.contains("always") { return true }
        if tags.isEmpty || tags.contains("all") { return !self.tags.contains("never") }
        return !tags.isDisjoint(with: self.tags)
    }
}

/// Which playbook of the flavour a step belongs to: the server template itself, or the separate add-node
/// template of the main flavour.
public enum PlaybookKind: String, Sendable, Hashable {
    case main
    case addNode = "add-node"
    /// The scale-in steps omnisim runs for the elastic template's README procedure.
    case scaleIn = "scale-in"
}
