/// Scale-in under the elastic template, as its README tells operators to do it (its own `delete_node` block
/// never matches a host of the play): the proxy is restarted with the lists of the smaller inventory, so
/// nothing is routed to the leaving nodes; then their vLLM servers get SIGTERM and finish the requests in
/// flight; once their ports are closed, their containers are removed. The first part runs on the target
/// cluster (the inventory without the nodes), the second on the leaving hosts of the running one.
public enum ScaleInPlaybook {
    /// The proxy restart, on the target cluster.
    public static func proxySteps(for cluster: Cluster) -> [Step] {
        withPlaybook(MainPlaybook.proxySteps(tags: ["delete_node"], restart: true))
    }

    /// The leaving hosts' drain and removal, on the running cluster.
    public static func removalSteps(removed: Set<String>) -> [Step] {
        let hosts = HostSelector.named(removed)
        return withPlaybook([
            Step(id: "terminate-servers", name: "send SIGTERM to the leaving nodes' vLLM servers", tags: ["delete_node"], hosts: hosts,
                 action: .terminateServers),
            Step(id: "wait-servers-stopped", name: "wait until the leaving nodes' API ports are closed", tags: ["delete_node"], hosts: hosts,
                 action: .waitForServersStopped, timeout: 300),
            Step(id: "remove-containers", name: "stop and remove the leaving nodes' containers", tags: ["delete_node"], hosts: hosts,
                 action: .removeContainers),
        ])
    }

    private static func withPlaybook(_ steps: [Step]) -> [Step] {
        steps.map { var s = $0; s.playbook = .scaleIn; return s }
    }
}
