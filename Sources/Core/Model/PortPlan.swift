/// Every TCP port each process of the deployment binds, per machine (host networking: one port space
/// per machine, shared by co-located P, D and C containers).
public struct PortPlan: Sendable {
    public struct Binding: Sendable, Hashable {
        public var machine: String
        public var port: Int
        public var host: String
        public var purpose: String
        /// The inventory field that produced the port, for locating errors.
        public var field: String?
    }

    public static let zmqPort = 5568
    public static let rayPort = 6379

    public var bindings: [Binding]

    public init(_ cluster: Cluster) {
        var list: [Binding] = []
        func add(_ host: Host, _ port: Int, _ purpose: String, _ field: String?) {
            list.append(Binding(machine: host.address, port: port, host: host.name, purpose: purpose, field: field))
        }
        for host in cluster.hosts {
            switch host.role {
            case .prefill:
                guard host.isMaster else { continue }
                add(host, host.nodePort, "prefill DP master port (node_port)", "node_port")
                for port in cluster.apiPorts(host) { add(host, port, "prefill API server", "api_port") }
                add(host, cluster.zmqPort(host), "prefill KV connector ZMQ port", nil)
                if cluster.settings.usesOmniProxy, let api = host.apiPort {
                    add(host, api + OmniProxyConfig.kvEventPortOffset, "prefill KV-events publisher for the Omni Proxy (api_port + 100)", "api_port")
                }
                if cluster.isMultiNodePrefill(host) { add(host, Self.rayPort, "Ray head of the multi-node P instance", nil) }
            case .decode:
                if host.isMaster { add(host, host.nodePort, "decode DP RPC port (node_port)", "node_port") }
                for port in cluster.apiPorts(host) { add(host, port, "decode API server", "api_port") }
            case .proxy:
                add(host, host.nodePort, "global proxy listen port (node_port)", "node_port")
            }
        }
        if let ports = cluster.globals.lmcachePorts, let proxy = cluster.proxy.first {
            add(proxy, ports.etcd, "etcd client port", nil)
            add(proxy, ports.master, "Mooncake master RPC port", nil)
            add(proxy, ports.metrics, "Mooncake master metrics port", nil)
        }
        bindings = list
    }

    /// Bindings grouped by machine, in first-seen machine order.
    public var byMachine: [(machine: String, bindings: [Binding])] {
        var order: [String] = []
        var groups: [String: [Binding]] = [:]
        for b in bindings {
            if groups[b.machine] == nil { order.append(b.machine) }
            groups[b.machine, default: []].append(b)
        }
        return order.map { ($0, groups[$0]!) }
    }
}
