/// Inputs of global_proxy.sh as run_proxy_server.sh calls it.
public struct NginxSettings: Sendable {
    /// The script version. V2's output is checked byte for byte against the reference script; V1 keeps
    /// V2's layout and differs where the V1 script does (pd_score_balance lines, the modules' position,
    /// unknown balancer names).
    public enum Flavor: Sendable { case v1, v2 }

    public var listenPort: Int
    public var prefillServers: [String]
    public var decodeServers: [String]
    public var prefillLB: String
    public var decodeLB: String
    public var logFile: String?
    public var logLevel: String
    public var coreNum = 4
    public var startCoreIndex = 16
    public var clientBodyBufferSize = "1024K"
    public var flavor = Flavor.v2
    public var prefillMaxNumSeqs = 16
    public var decodeMaxNumSeqs = 32
    /// `--dry-run`: write the configuration and stop, without starting nginx.
    public var dryRun = false

    public init(listenPort: Int, prefillServers: [String], decodeServers: [String], prefillLB: String = "pd_score_balance",
                decodeLB: String = "pd_score_balance", logFile: String? = nil, logLevel: String = "notice") {
        self.listenPort = listenPort
        self.prefillServers = prefillServers
        self.decodeServers = decodeServers
        self.prefillLB = prefillLB
        self.decodeLB = decodeLB
        self.logFile = logFile
        self.logLevel = logLevel
    }

    /// The settings the V2 global_proxy.sh reads from its command line (`argv` without the script name),
    /// starting from its own defaults. Each option takes the next word as its value whatever it looks like,
    /// as the script's `case "$1" … shift 2` does, so an option whose value was dropped by an unquoted empty
    /// expansion swallows the following option name. An unknown word, or one of the script's options that
    /// change what it does beyond writing a vLLM configuration (which omnisim does not model), is the
    /// script's exit 1.
    public init(arguments argv: [String]) throws(NginxConfig.ScriptError) {
        self.init(listenPort: 8080, prefillServers: [], decodeServers: [], logFile: nil, logLevel: "")
        startCoreIndex = 0
        var listen = "8080"
        var i = 0
        func value(_ option: String) throws(NginxConfig.ScriptError) -> String {
            guard i + 1 < argv.count else { throw NginxConfig.ScriptError(description: "\(option) needs a value") }
            i += 2
            return argv[i - 1]
        }
        func number(_ option: String) throws(NginxConfig.ScriptError) -> Int {
            let text = try value(option)
            guard let n = Int(text), n >= 0 else { throw NginxConfig.ScriptError(description: "\(option) '\(text)' is not a number") }
            return n
        }
        func list(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
        while i < argv.count {
            let option = argv[i]
            switch option {
            case "--listen-port", "-p": listen = try value(option)
            case "--prefill-servers-list": prefillServers = list(try value(option))
            case "--decode-servers-list": decodeServers = list(try value(option))
            case "--log-file", "-l":
                let file = try value(option)
                logFile = file.isEmpty ? nil : file
            case "--log-level": logLevel = try value(option)
            case "--core-num", "-c": coreNum = try number(option)
            case "--start-core-index", "-s": startCoreIndex = try number(option)
            case "--prefill-lb-sdk": prefillLB = try value(option)
            case "--decode-lb-sdk": decodeLB = try value(option)
            case "--prefill-max-num-seqs": prefillMaxNumSeqs = try number(option)
            case "--decode-max-num-seqs": decodeMaxNumSeqs = try number(option)
            case "--client-body-buffer-size": clientBodyBufferSize = try value(option)
            case "--engine-type":
                let engine = try value(option)
                guard engine == "vllm" else {
                    throw NginxConfig.ScriptError(description: engine == "sglang" ? "omnisim models only --engine-type vllm"
                                                  : "unknown engine type '\(engine)'")
                }
            case "--dry-run", "-d":
                dryRun = true
                i += 1
            case "--nginx-conf-file", "-f", "--stop", "-S", "--rollback", "-R", "--help", "-h",
                 "--bootstrap-port", "--metrics-servers-list", "--enable-internal-metrics":
                throw NginxConfig.ScriptError(description: "omnisim does not model global_proxy.sh \(option)")
            default:
                throw NginxConfig.ScriptError(description: "unknown argument '\(option)'")
            }
        }
        guard let port = Int(listen) else {
            throw NginxConfig.ScriptError(description: "listen port '\(listen)' is not an integer")
        }
        listenPort = port
    }
}

/// The nginx.conf global_proxy.sh generates, byte for byte: the stock configuration, edited step by step
/// (worker settings, error log, event and http tuning, listen port, the two upstream blocks, the three
/// proxy locations, the modules). The edits leave the stock file's blank lines and spacing in place, and
/// each upstream block keeps a line for the zone, the balancer's extra directive and its main directive
/// even when they are empty.
public enum NginxConfig {
    /// Why global_proxy.sh would exit 1 instead of starting nginx.
    public struct ScriptError: Error, CustomStringConvertible {
        public let description: String
    }

    static let modules = "/usr/local/nginx/modules/"

    /// A balancer's upstream directives (the extra one, then the main one; either may be empty) and its
    /// module, or nil for a V1 unknown name.
    static func balancer(_ name: String, decode: Bool, settings s: NginxSettings) -> (extra: String, main: String, module: String?)? {
        let seqs = decode ? s.decodeMaxNumSeqs : s.prefillMaxNumSeqs
        switch name {
        case "pd_score_balance":
            let extra = s.flavor == .v1 ? (decode ? "pd_score_balance_decode_req_limit 25;" : "") : "pd_score_balance_max_num_seqs \(seqs);"
            return (extra, "pd_score_balance \(decode ? "decode" : "prefill");", "ngx_http_upstream_pd_score_balance_module.so")
        case "prefill_score_balance", "weighted_least_active", "greedy_timeout":
            return ("", "\(name) on;", "ngx_http_upstream_\(name)_module.so")
        case "least_total_load":
            return ("least_total_load_batch_size 16;", "least_total_load on;", "ngx_http_upstream_least_total_load_module.so")
        case "auto_balance_controller":
            return ("auto_balance_controller_batch_size 32;", "auto_balance_controller on;", "ngx_http_upstream_auto_balance_controller_module.so")
        case "length_balance":
            return ("", "length_balance;", "ngx_http_upstream_length_balance_module.so")
        case "round_robin":
            return ("", "", nil)
        case "least_conn":
            return ("", "least_conn;", nil)
        case "prefix_cache_affinity" where s.flavor == .v2:
            return ("prefix_cache_affinity_block_size 640;", "prefix_cache_affinity on;", nil)
        default:
            // V2 falls back to least_conn for any other name, the empty one included.
            return s.flavor == .v2 ? ("", "least_conn;", nil) : nil
        }
    }

    public static func render(_ s: NginxSettings) throws(ScriptError) -> String {
        guard !s.prefillServers.isEmpty, !s.decodeServers.isEmpty else {
            throw ScriptError(description: "both the prefill and the decode server lists must be non-empty")
        }
        guard (1024...65500).contains(s.listenPort) else {
            throw ScriptError(description: "listen port \(s.listenPort) is outside 1024-65500")
        }
        guard let prefill = balancer(s.prefillLB, decode: false, settings: s) else {
            throw ScriptError(description: "nginx -t rejects the unknown balancer directive '\(s.prefillLB);'")
        }
        guard let decode = balancer(s.decodeLB, decode: true, settings: s) else {
            throw ScriptError(description: "nginx -t rejects the unknown balancer directive '\(s.decodeLB);'")
        }

        var lines = [
            "load_module \(Self.modules)ngx_http_set_request_id_module.so;",
            "load_module \(Self.modules)ngx_http_prefill_module.so;",
        ]
        if let log = s.logFile { lines.append(s.logLevel.isEmpty ? "error_log \(log);" : "error_log \(log) \(s.logLevel);") }
        let masks = (0..<s.coreNum).map { "1" + String(repeating: "0", count: s.startCoreIndex + $0) }
        lines += [
            "",
            "worker_processes \(s.coreNum);",
            "worker_rlimit_nofile 102400;",
            "worker_cpu_affinity \(masks.joined(separator: " ")) ;",
            "",
            "events {",
            "    use epoll;",
            "    accept_mutex off;",
            "    multi_accept on;",
            "    worker_connections 102400;",
            "}",
            "",
            "http {",
        ]
        // The zone line is decided on the raw decode argument, before the name is mapped.
        let zone = s.decodeLB.isEmpty ? "zone decode_servers \((s.decodeServers.count + 63) / 64 * 128)k;" : ""
        for (name, servers, lb, zone) in [("prefill_servers", s.prefillServers, prefill, ""), ("decode_servers", s.decodeServers, decode, zone)] {
            lines += ["    upstream \(name) {", "        " + zone, "        " + lb.extra, "        " + lb.main,
                      "        keepalive 2048;", "        keepalive_timeout 110s;", "        keepalive_requests 20000;"]
            lines += servers.map { "        server \($0) max_fails=3 fail_timeout=10s;" }
            lines += ["", "    }", ""]
        }
        let proxied = ["            proxy_http_version 1.1;", "            proxy_set_header Connection Keep-Alive;"]
        lines += [
            "    subrequest_output_buffer_size 1m;",
            "    proxy_read_timeout 14400s;",
            "    client_max_body_size 100m;",
            "    client_body_buffer_size \(s.clientBodyBufferSize);",
            "    large_client_header_buffers 4 512k;",
            "    client_header_buffer_size 512k;",
            "    keepalive_requests 20000;",
            "    sendfile_max_chunk 512k;",
            "    tcp_nodelay\ton;",
            "    tcp_nopush on;",
            "    include       mime.types;",
            "    default_type  application/octet-stream;",
            "",
            "    sendfile        on;",
            "    keepalive_timeout  65;",
            "",
            "    server {",
            "        listen       \(s.listenPort) reuseport;",
            "        server_name  localhost;",
            "",
            "        location / {",
            "            root   html;",
            "            index  index.html index.htm;",
            "        }",
            "",
            "        #error_page  404              /404.html;",
            "",
            "        # redirect server error pages to the static page /50x.html",
            "        #",
            "        error_page   500 502 503 504  /50x.html;",
            "        location = /50x.html {",
            "            root   html;",
            "        }",
            "",
            "        # match all API of v1",
            "        location /v1 {",
            "            proxy_pass http://prefill_servers;",
        ] + proxied + [
            "        }",
            "",
            "        # match /v1/completions and /v1/chat/completions",
            "        location ~ ^/v1(/chat)?/completions$ {",
            "            set_request_id on;",
            "            prefill /prefill_internal;",
            "            proxy_pass http://decode_servers;",
        ] + proxied + [
            "        }",
            "",
            "        # match /prefill_internal for internal prefill subrequest",
            "        location /prefill_internal {",
            "            internal;",
            "            rewrite /prefill_internal/(.*) /$1 break;",
            "            proxy_pass http://prefill_servers;",
        ] + proxied + [
            "        }",
            "    }",
            "}",
        ]
        // The balancer modules, each once, go in last: inserted before line 4 in V2 (after the error_log
        // line) and before line 3 in V1.
        var modules: [String] = []
        for m in [prefill.module, decode.module].compactMap({ $0 }) where !modules.contains(m) { modules.append(m) }
        lines.insert(contentsOf: modules.map { "load_module \(Self.modules)\($0);" }, at: s.flavor == .v1 ? 2 : 3)
        return lines.joined(separator: "\n") + "\n"
    }

    /// global_proxy.sh run with `argv`: the configuration it writes, or why it exits 1.
    public static func render(arguments argv: [String]) throws(ScriptError) -> String {
        try render(try NginxSettings(arguments: argv))
    }

    /// Reads a rendered config back: the servers of each upstream and the listen port.
    public static func upstreams(in config: String) -> (prefill: [String], decode: [String], listen: Int?) {
        var prefill: [String] = [], decode: [String] = []
        var listen: Int?
        var current: String?
        for rawLine in config.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingSpaces
            if let name = argument(line, "upstream") {
                current = name
            } else if line == "}" {
                current = nil
            } else if let address = argument(line, "server") {
                if current == "prefill_servers" || current == "prefill_endpoints" { prefill.append(address) } else if current == "decode_servers" || current == "decode_endpoints" { decode.append(address) }
            } else if let port = argument(line, "listen").flatMap({ Int(String($0.filter { $0.isASCII && $0.isNumber })) }) {
                listen = port
            }
        }
        return (prefill, decode, listen)
    }

    /// The first word after `keyword ` when `line` starts so.
    private static func argument(_ line: String, _ keyword: String) -> String? {
        guard line.hasPrefix(keyword + " ") else { return nil }
        return line.dropFirst(keyword.count).split(separator: " ").first.map(String.init)
    }
}
