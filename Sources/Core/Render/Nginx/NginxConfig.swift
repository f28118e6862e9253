/// Inputs of global_proxy.sh as run_proxy_server.sh calls it.
public struct NginxSettings: Sendable {
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
}

/// The nginx.conf global_proxy.sh generates: the stock configuration edited step by step (worker
/// settings, event and http tuning, listen port, upstream blocks, the three proxy locations, modules).
public enum NginxConfig {
    /// Why global_proxy.sh would exit 1 instead of starting nginx.
    public struct ScriptError: Error, CustomStringConvertible {
        public let description: String
    }

    static let modules = "/usr/local/nginx/modules/"

    /// The upstream directives and module of one balancer choice, or nil for a V1 unknown name.
    static func balancer(_ name: String, decode: Bool, settings s: NginxSettings) -> (lines: [String], module: String?)? {
        let seqs = decode ? s.decodeMaxNumSeqs : s.prefillMaxNumSeqs
        switch name {
        case "pd_score_balance":
            let extra = s.flavor == .v1 ? (decode ? ["pd_score_balance_decode_req_limit 25;"] : [])
                : ["pd_score_balance_max_num_seqs \(seqs);"]
            return (extra + ["pd_score_balance \(decode ? "decode" : "prefill");"], "ngx_http_upstream_pd_score_balance_module.so")
        case "prefill_score_balance", "weighted_least_active", "greedy_timeout":
            return (["\(name) on;"], "ngx_http_upstream_\(name)_module.so")
        case "least_total_load":
            return (["least_total_load_batch_size 16;", "least_total_load on;"], "ngx_http_upstream_least_total_load_module.so")
        case "auto_balance_controller":
            return (["auto_balance_controller_batch_size 32;", "auto_balance_controller on;"], "ngx_http_upstream_auto_balance_controller_module.so")
        case "length_balance":
            return (["length_balance;"], "ngx_http_upstream_length_balance_module.so")
        case "round_robin":
            return ([], nil)
        case "least_conn":
            return (["least_conn;"], nil)
        case "prefix_cache_affinity" where s.flavor == .v2:
            return (["prefix_cache_affinity_block_size 640;", "prefix_cache_affinity on;"], nil)
        case "":
            return (s.flavor == .v2 ? ["least_conn;"] : [], nil)
        default:
            return s.flavor == .v2 ? (["least_conn;"], nil) : nil
        }
    }

    public static func render(_ s: NginxSettings) throws -> String {
        guard (1024...65500).contains(s.listenPort) else {
            throw ScriptError(description: "listen port \(s.listenPort) is outside 1024-65500")
        }
        guard !s.prefillServers.isEmpty, !s.decodeServers.isEmpty else {
            throw ScriptError(description: "both the prefill and the decode server lists must be non-empty")
        }
        guard let prefill = balancer(s.prefillLB, decode: false, settings: s) else {
            throw ScriptError(description: "nginx -t rejects the unknown balancer directive '\(s.prefillLB);'")
        }
        guard let decode = balancer(s.decodeLB, decode: true, settings: s) else {
            throw ScriptError(description: "nginx -t rejects the unknown balancer directive '\(s.decodeLB);'")
        }

        var modules: [String] = []
        for m in [prefill.module, decode.module].compactMap({ $0 }) where !modules.contains(m) { modules.append(m) }
        var lines: [String] = [
            "load_module \(Self.modules)ngx_http_set_request_id_module.so;",
            "load_module \(Self.modules)ngx_http_prefill_module.so;",
        ]
        var top: [String] = []
        if let log = s.logFile { top.append("error_log \(log) \(s.logLevel);") }
        let balancerModules = modules.map { "load_module \(Self.modules)\($0);" }
        if s.flavor == .v1 { lines += balancerModules + top } else { lines += top + balancerModules }

        let masks = (0..<s.coreNum).map { "1" + String(repeating: "0", count: s.startCoreIndex + $0) }
        lines += [
            "worker_processes \(s.coreNum);",
            "worker_rlimit_nofile 102400;",
            "worker_cpu_affinity \(masks.joined(separator: " ")) ;",
            "events {",
            "    use epoll;",
            "    accept_mutex off;",
            "    multi_accept on;",
            "    worker_connections 102400;",
            "}",
            "http {",
        ]
        func upstream(_ name: String, _ servers: [String], _ lb: (lines: [String], module: String?), zone: Bool) -> [String] {
            var block = ["    upstream \(name) {"]
            if zone { block.append("        zone \(name) \((servers.count + 63) / 64 * 128)k;") }
            block += lb.lines.map { "        " + $0 }
            block += ["        keepalive 2048;", "        keepalive_timeout 110s;", "        keepalive_requests 20000;"]
            block += servers.map { "        server \($0) max_fails=3 fail_timeout=10s;" }
            block.append("    }")
            return block
        }
        lines += upstream("prefill_servers", s.prefillServers, prefill, zone: false)
        lines += upstream("decode_servers", s.decodeServers, decode, zone: s.decodeLB.isEmpty)
        let proxied = ["            proxy_http_version 1.1;", "            proxy_set_header Connection Keep-Alive;"]
        lines += [
            "    include mime.types;",
            "    default_type application/octet-stream;",
            "    sendfile on;",
            "    keepalive_timeout 65;",
            "    tcp_nopush on;",
            "    tcp_nodelay on;",
            "    sendfile_max_chunk 512k;",
            "    keepalive_requests 20000;",
            "    client_header_buffer_size 512k;",
            "    large_client_header_buffers 4 512k;",
            "    client_body_buffer_size \(s.clientBodyBufferSize);",
            "    client_max_body_size 100m;",
            "    proxy_read_timeout 14400s;",
            "    subrequest_output_buffer_size 1m;",
            "    server {",
            "        listen \(s.listenPort) reuseport;",
            "        server_name localhost;",
            "        location / {",
            "            root html;",
            "            index index.html index.htm;",
            "        }",
            "        error_page 500 502 503 504 /50x.html;",
            "        location = /50x.html {",
            "            root html;",
            "        }",
            "        location /v1 {",
            "            proxy_pass http://prefill_servers;",
        ] + proxied + [
            "        }",
            "        location ~ ^/v1(/chat)?/completions$ {",
            "            set_request_id on;",
            "            prefill /prefill_internal;",
            "            proxy_pass http://decode_servers;",
        ] + proxied + [
            "        }",
            "        location /prefill_internal {",
            "            internal;",
            "            rewrite /prefill_internal/(.*) /$1 break;",
            "            proxy_pass http://prefill_servers;",
        ] + proxied + [
            "        }",
            "    }",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a rendered config back: the servers of each upstream and the listen port.
    public static func upstreams(in config: String) -> (prefill: [String], decode: [String], listen: Int?) {
        var config = config
        return config.withUTF8 { bytes in
            var prefill: [String] = [], decode: [String] = []
            var listen: Int?
            var current: Substring?
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var first = start, last = end
                while first < last && bytes[first].isASCIIWhitespace { first += 1 }
                while last > first && bytes[last - 1].isASCIIWhitespace { last -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[first..<last])
                start = end + 1
                if let name = argument(line, "upstream") {
                    current = Substring(name)
                } else if line.count == 1 && line[0] == UInt8(ascii: "}") {
                    current = nil
                } else if let address = argument(line, "server") {
                    if current == "prefill_servers" { prefill.append(address) } else if current == "decode_servers" { decode.append(address) }
                } else if let port = argument(line, "listen").flatMap({ Int(String($0.filter { $0.isASCII && $0.isNumber })) }) {
                    listen = port
                }
            }
            return (prefill, decode, listen)
        }
    }


    /// The first word after `keyword ` when `line` starts so.
    private static func argument(_ line: UnsafeBufferPointer<UInt8>, _ keyword: StaticString) -> String? {
        let word = UnsafeBufferPointer(start: keyword.utf8Start, count: keyword.utf8CodeUnitCount)
        guard line.count > word.count, line.starts(with: word), line[word.count] == UInt8(ascii: " ") else { return nil }
        var i = word.count + 1
        while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
        guard i < line.count else { return nil }
        var j = i
        while j < line.count && line[j] != UInt8(ascii: " ") { j += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: line[i..<j]), as: UTF8.self)
    }
}
