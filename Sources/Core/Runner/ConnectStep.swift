/// The step that connects to every host a run may target before the first playbook step, like ansible's
/// fact gathering: a host that cannot be reached, or whose key does not match, stops the run before any
/// host has been changed.
public enum ConnectStep {
    public static let id = "connect"

    /// Hosts picked by a condition on registered facts (add-node's new hosts) count as targeted. The step
    /// runs under any tag selection; nil when no selected step reaches a host.
    public static func make(for steps: [Step], in cluster: Cluster, options: RunOptions) -> Step? {
        var names = Set<String>()
        for step in steps where step.hosts != .executorOnce && step.action.needsConnection && step.disabledReason == nil
            && step.selected(tags: options.tags, skipTags: options.skipTags) {
            for host in cluster.hosts where options.limit?.contains(host.name) ?? true {
                if step.hosts.matches(host, in: cluster, isNew: { _ in true }) { names.insert(host.name) }
            }
        }
        guard !names.isEmpty else { return nil }
        return Step(id: id, name: "connect to every targeted host and check its host key", tags: ["always"],
                    hosts: .named(names), action: .connect, timeout: 120)
    }
}
