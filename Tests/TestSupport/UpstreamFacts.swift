/// Values the upstream omni-infer templates (zhengjinhuan/omni-infer @ 0d409dfc,
/// tools/ansible/template/) render for their sample inventories, their Jinja evaluated per host: what each
/// host's pd_run.sh must be handed. Tests of both backends check the launches they replay against these.
public enum UpstreamFacts {
    /// pd_run.sh's `--option value` pairs, by option.
    public static func options(_ argv: [String]) -> [String: String] {
        var options: [String: String] = [:]
        var i = 0
        while i < argv.count {
            if argv[i].hasPrefix("--"), i + 1 < argv.count { options[argv[i]] = argv[i + 1]; i += 2 } else { i += 1 }
        }
        return options
    }

    /// The elastic template on the upstream 2P2D inventory: D0 = d0, d1 (IP list .3,.4, offsets 0/16),
    /// D1 = d2, d3 (.5,.6, 0/16), dp 32 each; both take kv rank and engine id PREFILL_POD_NUM = 2 with
    /// kv_parallel_size 3; P hosts get the list over all of D, the last master first (.5,.3,.4,.6), as
    /// kv_both; nobody passes ranktable paths.
    public static let elastic2P2D: [String: [String: String]] = {
        var facts: [String: [String: String]] = [:]
        for (host, list, offset) in [("d0", "127.0.0.3,127.0.0.4", "0"), ("d1", "127.0.0.3,127.0.0.4", "16"),
                                     ("d2", "127.0.0.5,127.0.0.6", "0"), ("d3", "127.0.0.5,127.0.0.6", "16")] {
            facts[host] = ["--local-decode-server-ip-list": list, "--global-decode-server-ip-list": list, "--num-dp": "32",
                           "--num-servers": "16", "--server-offset": offset, "--kv-rank": "2", "--kv-engine-id": "2",
                           "--kv-parallel-size": "3", "--kv-role": "kv_consumer", "--prefill-pod-num": "2"]
        }
        for (host, rank) in [("p0", "0"), ("p1", "1")] {
            facts[host] = ["--local-decode-server-ip-list": "127.0.0.5,127.0.0.3,127.0.0.4,127.0.0.6",
                           "--global-decode-server-ip-list": "127.0.0.5,127.0.0.3,127.0.0.4,127.0.0.6", "--kv-role": "kv_both",
                           "--tp": "16", "--kv-rank": rank, "--kv-engine-id": rank, "--kv-parallel-size": "3", "--prefill-pod-num": "2"]
        }
        return facts
    }()

    /// Options no host may pass under a template without ranktables.
    public static let ranktableOptions = ["--rank-table-path", "--global-rank-table-path"]

    /// The differences between a host's pd_run.sh options and the facts for it.
    public static func differences(_ host: String, argv: [String], facts: [String: String], absent: [String] = ranktableOptions) -> [String] {
        let options = options(argv)
        var out: [String] = []
        for (option, value) in facts.sorted(by: { $0.key < $1.key }) where options[option] != value {
            out.append("\(host): \(option) is \(options[option] ?? "absent"), the upstream template renders \(value)")
        }
        for option in absent where options[option] != nil {
            out.append("\(host): passes \(option) \(options[option]!), which the upstream template does not")
        }
        return out
    }
}
