/// Each flavour's step list and tags: the flavours are data, chosen once per deployment.
extension Flavour {
    /// The flavour's step list for `cluster`.
    public func steps(for cluster: Cluster) -> [Step] {
        switch self {
        case .main: return MainPlaybook.steps(for: cluster)
        case .elastic: return ElasticPlaybook.steps(for: cluster)
        case .a3TwoPrefill: return A3Playbook.steps(for: cluster)
        }
    }

    /// Every tag the flavour's template knows, for checking `--tags` and `--skip-tags`.
    public var knownTags: [String] {
        switch self {
        case .main, .a3TwoPrefill: return MainPlaybook.knownTags
        case .elastic: return ElasticPlaybook.knownTags
        }
    }
}
