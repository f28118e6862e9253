import Foundation

/// `omnisim plan`: the derived values and a host table, as text or JSON.
public struct PlanView {
    public let cluster: Cluster

    public init(cluster: Cluster) { self.cluster = cluster }

    public var values: [(String, String)] {
        cluster.settings.flavour == .elastic ? elasticValues : mainValues
    }

    /// The values the elastic template registers: lists over all of D, then each `D<i>` instance's own.
    private var elasticValues: [(String, String)] {
        let d = cluster.derived, all = cluster.decodeInstance
        var list: [(String, String)] = [
            ("FLAVOUR", cluster.settings.flavour.rawValue),
            ("PREFILL_API_SERVER_LIST", d.prefillAPIServerList),
            ("DECODE_API_SERVER_LIST_ALL", d.decodeAPIServerList),
            ("PREFILL_POD_NUM", String(d.prefillPodNum)),
            ("DECODE_SERVER_IP_LIST_ALL", all.serverIPList),
            ("KV_PARALLEL_SIZE", String(d.kvParallelSize)),
        ]
        for instance in cluster.decodeInstances {
            let g = instance.group ?? "D"
            list += [
                ("\(g) DECODE_SERVER_IP_LIST_BY_GROUP", instance.serverIPList),
                ("\(g) DECODE_SERVER_BY_GROUP", instance.deviceLists),
                ("\(g) DECODE_NUM_DP", String(instance.dataParallelSize)),
                ("\(g) DECODE_SERVER_OFFSET_BY_GROUP", instance.offsetLiteral),
                ("\(g) DECODE_KV_RANK", String(instance.kvRank)),
            ]
        }
        appendUpstreams(&list)
        return list
    }

    private func appendUpstreams(_ list: inout [(String, String)]) {
        let d = cluster.derived
        if let decodeUpstreams = try? ProxyUpstreams.decode(d.decodeAPIServerList) {
            list.append(("PROXY_PREFILL_UPSTREAMS", ProxyUpstreams.prefill(d.prefillAPIServerList).joined(separator: ",")))
            list.append(("PROXY_DECODE_UPSTREAMS", "\(decodeUpstreams.count) servers"))
        }
    }

    private var mainValues: [(String, String)] {
        let d = cluster.derived, decode = cluster.decodeInstance
        var list: [(String, String)] = [
            ("PREFILL_API_SERVER_LIST", d.prefillAPIServerList),
            ("DECODE_API_SERVER_LIST", d.decodeAPIServerList),
            ("PREFILL_POD_NUM", String(d.prefillPodNum)),
            ("DECODE_POD_NUM", String(decode.podCount)),
            ("DECODE_SERVER_IP_LIST", decode.serverIPList),
            ("DECODE_SERVER_ALL", decode.deviceLists),
            ("DECODE_NUM_DP", String(decode.dataParallelSize)),
            ("DECODE_SERVER_OFFSET", decode.offsetLiteral),
            ("PREFILL_MERGE_RANKTABLE_LIST", d.prefillMergeRanktableList),
            ("DECODE_RANKTABLE_LIST", decode.ranktableList),
            ("KV_PARALLEL_SIZE", String(d.kvParallelSize)),
            ("DECODE_KV_RANK", String(decode.kvRank)),
        ]
        appendUpstreams(&list)
        return list
    }

    public struct Row: Codable, Sendable {
        public var host: String
        public var role: String
        public var address: String
        public var instance: String
        public var devices: String
        public var tp: Int
        public var apiServers: Int
        public var nodePort: Int
        public var apiPorts: String
        public var kvRank: Int?
        public var nodeIPList: String?
        public var nnodes: Int?
        public var serverOffset: Int?
        public var container: String
    }

    public var rows: [Row] {
        let tpDecode = Int(cluster.settings.decodeTensorParallelSize) ?? 1
        return cluster.hosts.map { host in
            let ports = cluster.apiPorts(host)
            var row = Row(host: host.name, role: host.role.rawValue, address: host.address, instance: "proxy",
                          devices: host.deviceString ?? "", tp: 0, apiServers: cluster.apiServerCount(host), nodePort: host.nodePort,
                          apiPorts: ports.isEmpty ? "" : ports.count == 1 ? "\(ports[0])" : "\(ports.first!)-\(ports.last!)",
                          kvRank: nil, nodeIPList: nil, nnodes: nil, serverOffset: nil, container: cluster.containerName(host))
            switch host.duty {
            case .prefill(let server, let kvRank):
                let instance = cluster.prefillInstance(of: host, server: server)
                row.instance = "P\(kvRank)\(host.isMaster ? " master" : " follower")"
                row.tp = instance.tensorParallelSize(of: host)
                row.kvRank = kvRank
                row.nodeIPList = instance.nodeIPList
                row.nnodes = instance.nodeCount
            case .decode:
                let decode = cluster.decodeInstance(of: host)
                row.instance = "\(decode.group ?? "D")\(host.isMaster ? " master" : " node \(host.nodeRank)")"
                row.tp = tpDecode
                row.kvRank = decode.kvRank
                row.serverOffset = decode.serverOffset(of: host.name)
            case .proxy:
                break
            }
            return row
        }
    }

    public func text() -> String {
        var out = "Derived values\n"
        let width = values.map(\.0.count).max() ?? 0
        for (k, v) in values { out += "  " + k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v + "\n" }
        out += "\nHosts\n"
        let header = ["host", "role", "address", "instance", "devices", "tp", "servers", "node_port", "api_ports", "kv_rank", "offset", "container"]
        let table = rows.map { r in
            [r.host, r.role, r.address, r.instance, Self.shortDevices(r.devices), String(r.tp), String(r.apiServers), String(r.nodePort),
             r.apiPorts, r.kvRank.map(String.init) ?? "", r.serverOffset.map(String.init) ?? "", r.container]
        }
        out += Self.table([header] + table)
        out += "\nPorts per machine\n"
        for (machine, bindings) in PortPlan(cluster).byMachine {
            out += "  \(machine): " + bindings.map { "\($0.port) (\($0.host))" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    public func json() throws -> String {
        struct Plan: Codable { var values: [String: String]; var hosts: [Row] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Plan(values: Dictionary(uniqueKeysWithValues: values), hosts: rows))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// "0,1,...,15" shortened to "0-15" when consecutive.
    static func shortDevices(_ devices: String) -> String {
        let ids = devices.split(separator: ",").compactMap { Int($0) }
        guard ids.count > 2, ids.count == devices.split(separator: ",", omittingEmptySubsequences: false).count,
              ids == Array(ids[0]...ids[0] + ids.count - 1) else { return devices }
        return "\(ids[0])-\(ids.last!)"
    }

    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
