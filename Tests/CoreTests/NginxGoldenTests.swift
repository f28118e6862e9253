import Foundation
import Testing
@testable import Core
import TestSupport

/// One recorded run of the reference global_proxy.sh: its argv, the balancer pair it came from and what it
/// wrote (`file`, nil when it exited 1).
struct GoldenProxyRun: Decodable, Sendable, CustomTestStringConvertible {
    let file: String?
    let PREFILL_LB_SDK: String
    let DECODE_LB_SDK: String
    /// `playbook`: the values went through the reference playbook's unquoted `$PREFILL_LB_SDK`; `direct`: each value is one argument.
    let flavour: String
    let global_proxy_argv: [String]
    let rc: Int
    var shape = ""

    enum CodingKeys: String, CodingKey { case file, PREFILL_LB_SDK, DECODE_LB_SDK, flavour, global_proxy_argv, rc }

    static func all(_ shape: String) throws -> [GoldenProxyRun] {
        try JSONDecoder().decode([GoldenProxyRun].self, from: Data(Golden.bytes("nginx/\(shape)/index.json"))).map {
            var run = $0
            run.shape = shape
            return run
        }
    }

    var testDescription: String { "\(shape) \(file ?? "p-\(PREFILL_LB_SDK)__d-\(DECODE_LB_SDK) (\(flavour), exit \(rc))")" }
}

/// global_proxy.sh as omnisim models it, run with each argv the reference script was run with: the same
/// nginx.conf bytes, or the same exit 1.
@Suite struct NginxGoldenTests {
    static let runs: [GoldenProxyRun] = ["1P1D", "2P1D", "4P1D"].flatMap { (try? GoldenProxyRun.all($0)) ?? [] }

    @Test func everyShapeHasRecordedRuns() throws {
        for shape in ["1P1D", "2P1D", "4P1D"] { #expect(try GoldenProxyRun.all(shape).count >= 13, "\(shape)") }
    }

    @Test(arguments: runs)
    func sameConfigAsTheReference(_ run: GoldenProxyRun) throws {
        if let file = run.file {
            #expect(run.rc == 0)
            let config = try NginxConfig.render(arguments: run.global_proxy_argv)
            let golden = try Golden.bytes("nginx/\(run.shape)/\(file)")
            if let difference = Golden.difference(Array(config.utf8), golden) { Issue.record("\(run.shape)/\(file): \(difference)") }
        } else {
            #expect(run.rc == 1)
            #expect(throws: NginxConfig.ScriptError.self, "the reference exited 1 on \(run.global_proxy_argv)") {
                try NginxConfig.render(arguments: run.global_proxy_argv)
            }
        }
    }

    @Test func upstreamsAreReadBackFromTheReferenceConfig() throws {
        let config = String(decoding: try Golden.bytes("nginx/2P1D/p-pd_score_balance__d-pd_score_balance.conf"), as: UTF8.self)
        let up = NginxConfig.upstreams(in: config)
        #expect(up.prefill == ["127.0.0.1:9000", "127.0.0.2:9001"])
        #expect(up.decode == (9100...9115).map { "127.0.0.3:\($0)" } + (9101...9116).map { "127.0.0.4:\($0)" })
        #expect(up.listen == 7000)
    }

    @Test func argumentsAreReadAsTheScriptReadsThem() throws {
        let base = ["--prefill-servers-list", "a:1", "--decode-servers-list", "b:2,c:3"]
        let s = try NginxSettings(arguments: base + ["-p", "7000", "--prefill-lb-sdk", "--decode-lb-sdk", "--dry-run"])
        #expect(s.listenPort == 7000 && s.decodeServers == ["b:2", "c:3"] && s.dryRun)
        // The script's own defaults: port 8080, cores from 0, both balancers pd_score_balance, no error log.
        #expect(s.prefillLB == "--decode-lb-sdk" && s.decodeLB == "pd_score_balance")
        #expect(s.startCoreIndex == 0 && s.coreNum == 4 && s.logFile == nil)
        #expect(try NginxSettings(arguments: base).listenPort == 8080)
        for bad in [base + ["--listen-port", "x"], base + ["stray"], base + ["--core-num"], base + ["--engine-type", "sglang"],
                    base + ["--stop"], base + ["--prefill-max-num-seqs", "-1"]] {
            #expect(throws: NginxConfig.ScriptError.self, "\(bad)") { try NginxSettings(arguments: bad) }
        }
        #expect(throws: NginxConfig.ScriptError.self) { try NginxConfig.render(arguments: ["--prefill-servers-list", "a:1"]) }
    }
}
