/// The values the reference playbook computes once on the executor ("Register all values") across all
/// instances, with its quirks kept: they decide file names, server lists and process arguments. The
/// values of one instance live in `PrefillInstance` and `DecodeInstance`.
public struct DerivedValues: Sendable, Hashable {
    /// `PREFILL_API_SERVER_LIST`: `address:api_port` of every P master, without repeats.
    public let prefillAPIServerList: String
    /// `DECODE_API_SERVER_LIST`: `address:api_port@<commas in its devices>` of every D host, without repeats.
    public let decodeAPIServerList: String
    /// `PREFILL_POD_NUM`: distinct `host_ip` values over P, the number of P instances.
    public let prefillPodNum: Int
    /// `PREFILL_MERGE_RANKTABLE_LIST`: per P instance, its hosts' local ranktables, instances separated by `;`.
    public let prefillMergeRanktableList: String

    /// The A3 template counts P hosts for PREFILL_POD_NUM (its formula drops `unique`); the others count
    /// distinct `host_ip` values.
    public init(hosts: [Host], flavour: Flavour = .main) {
        let prefill = hosts.filter { $0.role == .prefill }
        var apiServers = UniqueList()
        var decodeServers = UniqueList()
        var hostIPs = UniqueList()
        for host in hosts where !host.address.isEmpty {
            switch host.duty {
            case .prefill(let server, _):
                if server.hostIP == host.address { apiServers.append("\(host.address):\(server.apiPort)") }
            case .decode(let server):
                decodeServers.append("\(host.address):\(server.apiPort)@\(server.deviceCount - 1)")
            case .proxy: break
            }
        }
        for host in prefill { if let ip = host.hostIP { hostIPs.append(ip) } }
        prefillAPIServerList = apiServers.joined(separator: ",")
        decodeAPIServerList = decodeServers.joined(separator: ",")
        prefillPodNum = flavour == .a3TwoPrefill ? prefill.filter { $0.hostIP != nil }.count : hostIPs.count
        prefillMergeRanktableList = Self.prefillMergeList(prefill)
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

    /// `KV_PARALLEL_SIZE` computed by the run scripts: the P instances plus the decode instance.
    public var kvParallelSize: Int { prefillPodNum + 1 }
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

/// Strings in first-seen order without repeats.
struct UniqueList {
    private(set) var items: [String] = []
    private var seen: Set<String> = []

    mutating func append(_ item: String) {
        if seen.insert(item).inserted { items.append(item) }
    }

    var count: Int { items.count }
    func joined(separator: String) -> String { items.joined(separator: separator) }
}
