/// `--list-steps`: the playbook's steps with their tags and the hosts they would run on, like
/// `ansible-playbook --list-tasks`.
public struct StepListing {
    public let cluster: Cluster
    public let options: RunOptions

    public init(cluster: Cluster, options: RunOptions) {
        self.cluster = cluster
        self.options = options
    }

    public func text(steps: [Step]? = nil) -> String {
        var out = ""
        for step in steps ?? cluster.settings.flavour.steps(for: cluster) {
            let selected = step.selected(tags: options.tags, skipTags: options.skipTags) && step.disabledReason == nil
            let hosts: String
            if step.hosts == .executorOnce {
                hosts = "executor"
            } else {
                hosts = cluster.hosts.filter { (options.limit?.contains($0.name) ?? true) && step.hosts.matches($0, in: cluster) }
                    .map(\.name).joined(separator: ",")
            }
            out += "\(selected ? " " : "-") \(step.id)  [\(step.tags.joined(separator: ", "))]  \(hosts.isEmpty ? "(no host)" : hosts)"
            if let reason = step.disabledReason { out += "  (off: \(reason))" }
            out += "\n"
        }
        return out
    }
}
