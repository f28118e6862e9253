/// The values the reference playbook computes once on the executor ("Register all values") and per P host, with its
/// quirks kept: they decide file names, server lists and process arguments.
public struct DerivedValues: Sendable, Hashable {
    public var prefillAPIServerList: String
    public var decodeAPIServerList: String
    /// Distinct `host_ip` values over P: the number of P instances.
    public var prefillPodNum: Int
    /// Number of D hosts (not instances).
    public var decodePodNum: Int
    public var decodeServerIPList: String
    public var decodeServerAll: String
    public var prefillMergeRanktableList: String
    public var decodeRanktableList: String
    /// D host name → offset (sum of device counts of earlier D hosts), in inventory order.
    public var decodeServerOffset: [(host: String, offset: Int)]
    /// P host name → (NODE_IP_LIST, NNODES).
    public var prefillNodeLists: [String: (nodeIPList: String, nnodes: Int)]
    private var offsetByHost: [String: Int] = [:]

    public init(hosts: [Host]) {
        let prefill = hosts.filter { $0.role == .prefill }
        let decode = hosts.filter { $0.role == .decode }

        var apiServers = UniqueList()
        for host in prefill where !host.address.isEmpty && host.hostIP == host.address {
            apiServers.append("\(host.address):\(host.apiPort ?? 9000)")
        }
        prefillAPIServerList = apiServers.joined(separator: ",")

        var decodeServers = UniqueList()
        for host in decode where !host.address.isEmpty {
            let commas = (host.deviceString ?? "").filter { $0 == "," }.count
            decodeServers.append("\(host.address):\(host.apiPort ?? 9100)@\(commas)")
        }
        decodeAPIServerList = decodeServers.joined(separator: ",")

        var hostIPs = UniqueList()
        for host in prefill { if let ip = host.hostIP { hostIPs.append(ip) } }
        prefillPodNum = hostIPs.count
        decodePodNum = decode.count

        var masters: [String] = []
        var others: [String] = []
        for host in decode {
            if host.hostIP == host.address { masters.append(host.address) } else { others.append(host.address) }
        }
        // Each master is inserted at the front, so masters end up in reverse inventory order.
        decodeServerIPList = (masters.reversed() + others).joined(separator: ",")
        decodeServerAll = decode.map { $0.deviceString ?? "" }.joined(separator: ",")

        prefillMergeRanktableList = Self.prefillMergeList(prefill)

        var decodeFiles = UniqueList()
        for host in decode { decodeFiles.append("collect_files_d/\(RanktableNames.local(host))") }
        decodeRanktableList = decodeFiles.joined(separator: ",")

        var offset = 0
        var offsets: [(String, Int)] = []
        for host in decode {
            offsets.append((host.name, offset))
            offsetByHost[host.name] = offsetByHost[host.name] ?? offset
            offset += host.deviceCount
        }
        decodeServerOffset = offsets

        var peersByHostIP: [String?: (ips: UniqueList, count: Int)] = [:]
        for host in prefill {
            peersByHostIP[host.hostIP, default: (UniqueList(), 0)].ips.append(host.address)
            peersByHostIP[host.hostIP]!.count += 1
        }
        var nodeLists: [String: (String, Int)] = [:]
        for host in prefill {
            let peers = peersByHostIP[host.hostIP]!
            nodeLists[host.name] = (peers.ips.joined(separator: ","), peers.count)
        }
        prefillNodeLists = nodeLists
    }

    /// The reference playbook's walk over P hosts: followers extend the current instance's entry only while they follow
    /// their master directly; any other follower is dropped.
    static func prefillMergeList(_ prefill: [Host]) -> String {
        var current = ""
        var lastHostIP = ""
        var result: [String] = []
        for host in prefill {
            guard let hostIP = host.hostIP else { continue }
            guard hostIP == host.address || hostIP == lastHostIP else { continue }
            lastHostIP = hostIP
            let file = "collect_files_p/\(RanktableNames.local(host))"
            if host.isMaster && current.isEmpty {
                current = file
            } else if !host.isMaster {
                current += "," + file
            } else {
                result.append(current)
                current = file
            }
        }
        result.append(current)
        return result.joined(separator: ";")
    }

    /// Total number of D devices: the decode data-parallel size.
    public var decodeDataParallelSize: Int { decodeServerAll.filter { $0 == "," }.count + 1 }

    /// `KV_PARALLEL_SIZE` computed by the run scripts.
    public var kvParallelSize: Int { prefillPodNum + 1 }

    /// The kv_rank and engine id of the decode instance.
    public var decodeKVRank: Int { prefillPodNum }

    public func serverOffset(of host: String) -> Int {
        offsetByHost[host] ?? 0
    }

    /// The offset map as the reference playbook renders it: a Python dict literal.
    public var decodeServerOffsetLiteral: String {
        "{" + decodeServerOffset.map { "'\($0.host)': \($0.offset)" }.joined(separator: ", ") + "}"
    }

    /// The offset map as a bash associative array body, as written into the decode run script.
    public var decodeServerOffsetBash: String {
        "( " + decodeServerOffset.map { "[\($0.host)]=\($0.offset)" }.joined(separator: " ") + " )"
    }

    public func nodeIPList(of host: String) -> String? { prefillNodeLists[host]?.nodeIPList }
    public func nnodes(of host: String) -> Int? { prefillNodeLists[host]?.nnodes }

    public static func == (a: DerivedValues, b: DerivedValues) -> Bool {
        a.prefillAPIServerList == b.prefillAPIServerList && a.decodeAPIServerList == b.decodeAPIServerList
            && a.prefillPodNum == b.prefillPodNum && a.decodePodNum == b.decodePodNum
            && a.decodeServerIPList == b.decodeServerIPList && a.decodeServerAll == b.decodeServerAll
            && a.prefillMergeRanktableList == b.prefillMergeRanktableList
            && a.decodeRanktableList == b.decodeRanktableList
            && a.decodeServerOffsetLiteral == b.decodeServerOffsetLiteral
            && a.prefillNodeLists.mapValues { "\($0.nodeIPList)#\($0.nnodes)" }
                == b.prefillNodeLists.mapValues { "\($0.nodeIPList)#\($0.nnodes)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(prefillAPIServerList)
        hasher.combine(decodeAPIServerList)
        hasher.combine(prefillMergeRanktableList)
    }
}

/// Ranktable file names as the reference playbook's tool builds them.
public enum RanktableNames {
    /// `local_ranktable_<address>_<devices without commas or spaces>.json`
    public static func local(_ host: Host) -> String { local(address: host.address, joinedDevices: host.joinedDevices) }
    public static func local(address: String, joinedDevices: String) -> String {
        "local_ranktable_\(address)_\(joinedDevices).json"
    }
    public static func host(address: String) -> String { "local_ranktable_\(address)_host.json" }
    public static func global(address: String) -> String { "global_ranktable_\(address).json" }
    public static let localMerge = "local_ranktable_merge.json"
    public static let globalMerge = "global_ranktable_merge.json"
}

/// Strings in first-seen order without repeats, in linear time.
struct UniqueList {
    private(set) var items: [String] = []
    private var seen: Set<String> = []

    mutating func append(_ item: String) {
        if seen.insert(item).inserted { items.append(item) }
    }

    var count: Int { items.count }
    func joined(separator: String) -> String { items.joined(separator: separator) }
}
