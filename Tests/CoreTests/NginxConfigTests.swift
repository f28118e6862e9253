import Testing
@testable import Core

@Suite struct NginxConfigTests {
    func settings(_ hosts: [Host], port: Int = 7000) throws -> NginxSettings {
        let d = Cluster(hosts: hosts).derived
        return NginxSettings(listenPort: port, prefillServers: ProxyUpstreams.prefill(d.prefillAPIServerList),
                             decodeServers: try ProxyUpstreams.decode(d.decodeAPIServerList), logFile: "/data/log_path/c0/nginx_error.log")
    }

    func lines(_ config: String) -> [String] { config.split(separator: "\n").map { $0.trimmingSpaces } }

    @Test func twoPOneDAsGlobalProxyWritesIt() throws {
        let config = try NginxConfig.render(try settings(TestHosts.twoPOneD))
        let l = lines(config)
        #expect(Array(l.prefix(4)) == [
            "load_module /usr/local/nginx/modules/ngx_http_set_request_id_module.so;",
            "load_module /usr/local/nginx/modules/ngx_http_prefill_module.so;",
            "error_log /data/log_path/c0/nginx_error.log notice;",
            "load_module /usr/local/nginx/modules/ngx_http_upstream_pd_score_balance_module.so;",
        ])
        #expect(l.contains("worker_processes 4;"))
        #expect(l.contains("worker_rlimit_nofile 102400;"))
        #expect(l.contains("worker_cpu_affinity 10000000000000000 100000000000000000 1000000000000000000 10000000000000000000 ;"))
        #expect(l.contains("listen 7000 reuseport;"))
        for directive in ["use epoll;", "accept_mutex off;", "multi_accept on;", "worker_connections 102400;", "tcp_nopush on;",
                          "client_body_buffer_size 1024K;", "proxy_read_timeout 14400s;", "subrequest_output_buffer_size 1m;"] {
            #expect(l.contains(directive), "missing \(directive)")
        }
        // Prefill upstream first, then decode; V2 balancer lines.
        let prefillAt = l.firstIndex(of: "upstream prefill_servers {")!, decodeAt = l.firstIndex(of: "upstream decode_servers {")!
        #expect(prefillAt < decodeAt)
        #expect(Array(l[(prefillAt + 1)...(prefillAt + 2)]) == ["pd_score_balance_max_num_seqs 16;", "pd_score_balance prefill;"])
        #expect(Array(l[(decodeAt + 1)...(decodeAt + 2)]) == ["pd_score_balance_max_num_seqs 32;", "pd_score_balance decode;"])
        let up = NginxConfig.upstreams(in: config)
        #expect(up.prefill == ["127.0.0.1:9000", "127.0.0.2:9001"])
        #expect(up.decode == (9100...9115).map { "127.0.0.3:\($0)" } + (9101...9116).map { "127.0.0.4:\($0)" })
        #expect(l.contains("server 127.0.0.3:9100 max_fails=3 fail_timeout=10s;"))
        #expect(l.contains("location ~ ^/v1(/chat)?/completions$ {"))
        #expect(l.contains("prefill /prefill_internal;"))
        #expect(l.contains("rewrite /prefill_internal/(.*) /$1 break;"))
        #expect(config.components(separatedBy: "load_module").count - 1 == 3)
    }

    @Test func fourPOneD() throws {
        let up = NginxConfig.upstreams(in: try NginxConfig.render(try settings(TestHosts.fourPOneD)))
        #expect(up.prefill == ["127.0.0.1:9000", "127.0.0.2:9001", "127.0.0.3:9002", "127.0.0.4:9003"])
        #expect(up.decode.count == 64)
        #expect(up.decode.first == "127.0.0.5:9100" && up.decode.last == "127.0.0.8:9118")
        #expect(up.decode.contains("127.0.0.6:9116") && up.decode.contains("127.0.0.7:9117"))
    }

    @Test func v1Flavor() throws {
        var s = try settings(TestHosts.twoPOneD)
        s.flavor = .v1
        let l = lines(try NginxConfig.render(s))
        #expect(l[2] == "load_module /usr/local/nginx/modules/ngx_http_upstream_pd_score_balance_module.so;")
        #expect(l[3].hasPrefix("error_log"))
        #expect(l.contains("pd_score_balance_decode_req_limit 25;"))
        #expect(!l.contains("pd_score_balance_max_num_seqs 16;"))
        s.decodeLB = "no_such_balancer"
        #expect(throws: NginxConfig.ScriptError.self) { try NginxConfig.render(s) }
    }

    @Test(arguments: [
        ("prefill_score_balance", ["prefill_score_balance on;"], "ngx_http_upstream_prefill_score_balance_module.so"),
        ("weighted_least_active", ["weighted_least_active on;"], "ngx_http_upstream_weighted_least_active_module.so"),
        ("greedy_timeout", ["greedy_timeout on;"], "ngx_http_upstream_greedy_timeout_module.so"),
        ("least_total_load", ["least_total_load_batch_size 16;", "least_total_load on;"], "ngx_http_upstream_least_total_load_module.so"),
        ("auto_balance_controller", ["auto_balance_controller_batch_size 32;", "auto_balance_controller on;"], "ngx_http_upstream_auto_balance_controller_module.so"),
        ("length_balance", ["length_balance;"], "ngx_http_upstream_length_balance_module.so"),
        ("least_conn", ["least_conn;"], ""),
        ("round_robin", [], ""),
        ("prefix_cache_affinity", ["prefix_cache_affinity_block_size 640;", "prefix_cache_affinity on;"], ""),
        ("unknown_thing", ["least_conn;"], ""),
    ])
    func balancers(_ name: String, _ directives: [String], _ module: String) throws {
        var s = try settings(TestHosts.twoPOneD)
        s.prefillLB = name
        s.decodeLB = name
        let config = try NginxConfig.render(s)
        let l = lines(config)
        let at = l.firstIndex(of: "upstream prefill_servers {")!
        #expect(Array(l[(at + 1)..<(at + 1 + directives.count)]) == directives)
        #expect(l[at + 1 + directives.count] == "keepalive 2048;")
        let modules = l.filter { $0.hasPrefix("load_module") }
        #expect(modules.count == (module.isEmpty ? 2 : 3), "a module shared by both sides is loaded once")
        if !module.isEmpty { #expect(modules.contains { $0.hasSuffix(module + ";") }) }
    }

    @Test func emptyDecodeBalancerGetsAZone() throws {
        var s = try settings(TestHosts.fourPOneD)
        s.decodeLB = ""
        let l = lines(try NginxConfig.render(s))
        let at = l.firstIndex(of: "upstream decode_servers {")!
        #expect(l[at + 1] == "zone decode_servers 128k;")
        #expect(l[at + 2] == "least_conn;")
        s.decodeServers = (0..<65).map { "10.0.0.1:\(9000 + $0)" }
        #expect(lines(try NginxConfig.render(s)).contains("zone decode_servers 256k;"))
    }

    @Test func scriptChecks() throws {
        var s = try settings(TestHosts.twoPOneD, port: 80)
        #expect(throws: NginxConfig.ScriptError.self) { try NginxConfig.render(s) }
        s.listenPort = 65501
        #expect(throws: NginxConfig.ScriptError.self) { try NginxConfig.render(s) }
        s.listenPort = 65500
        #expect(throws: Never.self) { try NginxConfig.render(s) }
        s.prefillServers = []
        #expect(throws: NginxConfig.ScriptError.self) { try NginxConfig.render(s) }
    }

    @Test func decodeListExpansion() throws {
        #expect(try ProxyUpstreams.decode("1.1.1.1:9100@2, 2.2.2.2:9200@0") == ["1.1.1.1:9100", "1.1.1.1:9101", "1.1.1.1:9102", "2.2.2.2:9200"])
        #expect(throws: ProxyUpstreams.FormatError.self) { try ProxyUpstreams.decode("1.1.1.1:9100") }
        #expect(throws: ProxyUpstreams.FormatError.self) { try ProxyUpstreams.decode("1.1.1.1:x@1") }
        #expect(ProxyUpstreams.prefill(" a:1 ,b:2") == ["a:1", "b:2"])
    }
}
