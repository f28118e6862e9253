import Testing
@testable import Core

@Suite struct NginxConfigTests {
    func settings(_ hosts: [Host], port: Int = 7000) throws -> NginxSettings {
        let d = Cluster(hosts: hosts).derived
        return NginxSettings(listenPort: port, prefillServers: ProxyUpstreams.prefill(d.prefillAPIServerList),
                             decodeServers: try ProxyUpstreams.decode(d.decodeAPIServerList), logFile: "/data/log_path/c0/nginx_error.log")
    }

    func lines(_ config: String) -> [String] { config.split(separator: "\n").map { $0.trimmingSpaces } }

    // The exact bytes of every balancer choice are checked against the reference script's output in
    // NginxGoldenTests; these cover what the recorded runs do not.

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

    @Test func emptyDecodeBalancerGetsAZone() throws {
        var s = try settings(TestHosts.fourPOneD)
        s.decodeLB = ""
        let l = lines(try NginxConfig.render(s))
        let at = l.firstIndex(of: "upstream decode_servers {")!
        #expect(Array(l[(at + 1)...(at + 3)]) == ["zone decode_servers 128k;", "", "least_conn;"])
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
