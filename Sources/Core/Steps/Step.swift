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

    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// The fields, copied out of a shared box before the first change.
    private var fields: Fields {
        get { box.fields }
        set {
            if isKnownUniquelyReferenced(&box) { box.fields = newValue } else { box = Box(newValue) }
        }
    }

    /// Stable identifier, e.g. `run-container-prefill`.
    public var id: String {
        get { box.fields.id }
        set { fields.id = newValue }
    }
    /// The task's human name.
    public var name: String {
        get { box.fields.name }
        set { fields.name = newValue }
    }
    /// Tags, including those inherited from enclosing blocks; `always` runs under any selection.
    public var tags: [String] {
        get { box.fields.tags }
        set { fields.tags = newValue }
    }
    public var hosts: HostSelector {
        get { box.fields.hosts }
        set { fields.hosts = newValue }
    }
    public var action: StepAction {
        get { box.fields.action }
        set { fields.action = newValue }
    }
    /// Failures of this step are recorded but never stop the run (`failed_when: false`).
    public var neverFails: Bool {
        get { box.fields.neverFails }
        set { fields.neverFails = newValue }
    }
    /// Upper bound per host, in seconds.
    public var timeout: Double {
        get { box.fields.timeout }
        set { fields.timeout = newValue }
    }
    /// Set when a play-wide condition turns the step off (e.g. no etcd/Mooncake ports): every host skips it.
    public var disabledReason: String? {
        get { box.fields.disabledReason }
        set { fields.disabledReason = newValue }
    }
    /// Which playbook the step belongs to; add-node steps start servers without ranktables.
    public var playbook: PlaybookKind {
        get { box.fields.playbook }
        set { fields.playbook = newValue }
    }

    public init(id: String, name: String, tags: [String], hosts: HostSelector, action: StepAction,
                neverFails: Bool = false, timeout: Double = 600, disabledReason: String? = nil) {
        box = Box(Fields(id: id, name: name, tags: tags, hosts: hosts, action: action, neverFails: neverFails,
                         timeout: timeout, disabledReason: disabledReason, playbook: .main))
    }

    public static func == (a: Step, b: Step) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

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
