/// One task of the playbook as data: what it is called, its tags, where it runs and what it does. The
/// fields share one copy-on-write box, since every host's task carries its step.
public struct Step: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var id: String
        var name: String
        var tags: [String]
        var hosts: HostSelector
        var action: StepAction
        var neverFails: Bool
        var timeout: Double
        var disabledReason: String?
        var playbook: PlaybookKind
    }

    private var box: SharedBox<Fields>

    /// Stable identifier, e.g. `run-container-prefill`.
    public var id: String {
        get { box.value.id }
        set { box.value.id = newValue }
    }
    /// The task's human name.
    public var name: String {
        get { box.value.name }
        set { box.value.name = newValue }
    }
    /// Tags, including those inherited from enclosing blocks; `always` runs under any selection.
    public var tags: [String] {
        get { box.value.tags }
        set { box.value.tags = newValue }
    }
    public var hosts: HostSelector {
        get { box.value.hosts }
        set { box.value.hosts = newValue }
    }
    public var action: StepAction {
        get { box.value.action }
        set { box.value.action = newValue }
    }
    /// Failures of this step are recorded but never stop the run (`failed_when: false`).
    public var neverFails: Bool {
        get { box.value.neverFails }
        set { box.value.neverFails = newValue }
    }
    /// Upper bound per host, in seconds.
    public var timeout: Double {
        get { box.value.timeout }
        set { box.value.timeout = newValue }
    }
    /// Set when a play-wide condition turns the step off (e.g. no etcd/Mooncake ports): every host skips it.
    public var disabledReason: String? {
        get { box.value.disabledReason }
        set { box.value.disabledReason = newValue }
    }
    /// Which playbook the step belongs to; add-node steps start servers without ranktables.
    public var playbook: PlaybookKind {
        get { box.value.playbook }
        set { box.value.playbook = newValue }
    }

    public init(id: String, name: String, tags: [String], hosts: HostSelector, action: StepAction,
                neverFails: Bool = false, timeout: Double = 600, disabledReason: String? = nil) {
        box = SharedBox(Fields(id: id, name: name, tags: tags, hosts: hosts, action: action, neverFails: neverFails,
                         timeout: timeout, disabledReason: disabledReason, playbook: .main))
    }

    public static func == (a: Step, b: Step) -> Bool { a.box == b.box }

    public func hash(into hasher: inout Hasher) { hasher.combine(box) }

    /// Whether the step runs under a tag selection, as ansible decides it: `always` runs unless skipped
    /// explicitly; with no `--tags` everything runs; `--skip-tags` wins.
    public func selected(tags: Set<String>, skipTags: Set<String>) -> Bool {
        if !skipTags.isDisjoint(with: self.tags) { return false }
        if tags.isEmpty || tags.contains("all") { return true }
        if self.tags.contains("always") { return true }
        return !tags.isDisjoint(with: self.tags)
    }
}

public enum PlaybookKind: String, Sendable, Hashable {
    case main
    case addNode = "add-node"
}
