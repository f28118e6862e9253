@testable import Core

/// Builders for the spec's sample topologies, independent of YAML loading.
enum TestHosts {
    static let sixteen = (0..<16).map(String.init).joined(separator: ",")

    static func p(_ name: String, _ ip: String, kv: Int, hostIP: String? = nil, rank: Int = 0, devices: String = sixteen) -> Host {
        Host(name: name, address: ip, nodeRank: rank, nodePort: 8000 + kv,
             duty: .prefill(ServerPlacement(hostIP: hostIP ?? ip, devices: devices, apiPort: 9000 + kv), kvRank: kv))
    }

    static func d(_ name: String, _ ip: String, rank: Int, master: String, devices: String = sixteen) -> Host {
        Host(name: name, address: ip, nodeRank: rank, nodePort: 8100,
             duty: .decode(ServerPlacement(hostIP: master, devices: devices, apiPort: 9100 + rank)))
    }

    static func c(_ ip: String = "127.0.0.1", port: Int = 7000) -> Host {
        Host(name: "c0", address: ip, nodePort: port, duty: .proxy)
    }

    static var twoPOneD: [Host] {
        [p("p0", "127.0.0.1", kv: 0), p("p1", "127.0.0.2", kv: 1),
         d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), d("d1", "127.0.0.4", rank: 1, master: "127.0.0.3"), c()]
    }

    static var fourPOneD: [Host] {
        (0..<4).map { p("p\($0)", "127.0.0.\($0 + 1)", kv: $0) }
            + (0..<4).map { d("d\($0)", "127.0.0.\($0 + 5)", rank: $0, master: "127.0.0.5") } + [c()]
    }

    static var multiNodeP: [Host] {
        [p("pa", "10.0.0.1", kv: 0), p("pb", "10.0.0.2", kv: 0, hostIP: "10.0.0.1", rank: 1), p("pc", "10.0.0.3", kv: 1),
         d("d0", "10.0.0.5", rank: 0, master: "10.0.0.5")]
    }
}
