/// One prefill instance: the P hosts that share a `host_ip`, in inventory order. A multi-node instance
/// runs one vLLM server over Ray across all its machines; its master is the host whose address is the
/// `host_ip`.
public struct PrefillInstance: Sendable, Hashable {
    /// The `host_ip` every host of the instance names: the master's address.
    public let masterAddress: String
    public let hosts: [Host]
    /// The instance's index among the P instances and its KV engine id: the master's kv rank (the first
    /// host's when no host is the master).
    public let kvRank: Int
    /// `NODE_IP_LIST`: the distinct addresses of the instance's hosts, in order.
    public let nodeIPList: String
    /// `NNODES`: the number of hosts of the instance (repeated addresses counted, as the reference
    /// playbook counts them).
    public let nodeCount: Int

    /// `sharingHostIP` are the hosts the template counts for NODE_IP_LIST and NNODES: the instance's own
    /// hosts, except under the A3 template, which counts every P host with the same `host_ip`, so two
    /// single-node instances on one machine each see NNODES 2.
    init(masterAddress: String, hosts: [Host], sharingHostIP: [Host]? = nil) {
        self.masterAddress = masterAddress
        self.hosts = hosts
        let master = hosts.first { $0.isMaster } ?? hosts[0]
        kvRank = master.kvRank ?? 0
        let counted = sharingHostIP ?? hosts
        var addresses = UniqueList()
        for host in counted { addresses.append(host.address) }
        nodeIPList = addresses.joined(separator: ",")
        nodeCount = counted.count
    }

    public var master: Host? { hosts.first { $0.isMaster } }
    public var followers: [Host] { hosts.filter { !$0.isMaster } }

    /// More than one distinct machine: the instance runs over Ray.
    public var isMultiNode: Bool { nodeIPList.contains(",") }

    /// The tensor-parallel size of the instance's server as seen from `host`: its devices times the number of
    /// distinct machines.
    public func tensorParallelSize(of host: Host) -> Int {
        host.deviceCount * (nodeIPList.reduce(1) { $1 == "," ? $0 + 1 : $0 })
    }

    /// API servers `host` starts: one on the master of a multi-node instance (and on every host of a
    /// single-node one), none on followers.
    public func apiServerCount(of host: Host) -> Int { isMultiNode && !host.isMaster ? 0 : 1 }
}

/// A decode instance: its D hosts, in inventory order. Each device of each host serves one API server,
/// and the servers together form one data-parallel group whose ranks are numbered host by host. The main
/// template makes one instance of every D host; the elastic template one per `D<i>` group.
public struct DecodeInstance: Sendable, Hashable {
    public let hosts: [Host]
    /// The `D<i>` group the instance is made of; nil for the main template's instance of all D hosts.
    public let group: String?
    /// The instance's kv rank and KV engine id: the number of P instances (P instances take 0…n-1).
    public let kvRank: Int
    /// `DECODE_SERVER_IP_LIST` (elastic: `DECODE_SERVER_IP_LIST_BY_GROUP`): masters first, each inserted at
    /// the front (so in reverse inventory order), then the other hosts.
    public let serverIPList: String
    /// `DECODE_SERVER_ALL` (elastic: `DECODE_SERVER_BY_GROUP`): the hosts' device strings, joined by commas.
    public let deviceLists: String
    /// Each host's server offset: the sum of the device counts of the instance's hosts before it.
    public let offsets: [HostOffset]
    private let offsetByHost: [String: Int]

    public struct HostOffset: Sendable, Hashable {
        public let host: String
        public let offset: Int
    }

    init(hosts: [Host], kvRank: Int, group: String? = nil) {
        self.hosts = hosts
        self.kvRank = kvRank
        self.group = group
        let masters = hosts.filter(\.isMaster).map(\.address)
        let others = hosts.filter { !$0.isMaster }.map(\.address)
        serverIPList = (masters.reversed() + others).joined(separator: ",")
        deviceLists = hosts.map { $0.deviceString ?? "" }.joined(separator: ",")
        var offset = 0
        var offsets: [HostOffset] = []
        var byHost: [String: Int] = [:]
        for host in hosts {
            offsets.append(HostOffset(host: host.name, offset: offset))
            if byHost[host.name] == nil { byHost[host.name] = offset }
            offset += host.deviceCount
        }
        self.offsets = offsets
        offsetByHost = byHost
    }

    public var master: Host? { hosts.first { $0.isMaster } }

    /// `DECODE_POD_NUM`: the number of D hosts.
    public var podCount: Int { hosts.count }

    /// The data-parallel size: the number of devices over all D hosts.
    public var dataParallelSize: Int { deviceLists.reduce(1) { $1 == "," ? $0 + 1 : $0 } }

    public func serverOffset(of host: String) -> Int { offsetByHost[host] ?? 0 }

    /// The offsets as the reference playbook renders them: a Python dict literal.
    public var offsetLiteral: String {
        "{" + offsets.map { "'\($0.host)': \($0.offset)" }.joined(separator: ", ") + "}"
    }

    /// `DECODE_RANKTABLE_LIST`: the local ranktable of each D host in the executor's staging directory.
    public var ranktableList: String {
        var files = UniqueList()
        for host in hosts { files.append("collect_files_d/\(RanktableNames.local(host))") }
        return files.joined(separator: ",")
    }
}
