import Foundation
import Testing
import TestSupport
@testable import Core

/// omnisim's model of omni_proxy.sh against what the upstream script wrote (Tests/Golden/omni-proxy).
@Suite struct OmniProxyGoldenTests {
    static func decodeList() -> String {
        ((9100...9115).map { "127.0.0.3:\($0)" } + (9101...9116).map { "127.0.0.4:\($0)" }).joined(separator: ",")
    }

    static func playbookArguments(prefill: String) -> [String] {
        ["--listen-port", "7000", "--prefill-endpoints", prefill, "--decode-endpoints", decodeList(),
         "--log-file", "/data/log_path/c0/nginx_error.log", "--log-level", "notice", "--core-num", "4", "--start-core-index", "16",
         "--omni-proxy-pd-policy", "sequential", "--omni-proxy-model-path", "/data/models/DeepSeek-R1-w8a8-fusion",
         "--omni-proxy-max-batch-num-token", "100000", "--omni-proxy-prefill-max-num-seqs", "32", "--omni-proxy-decode-max-num-seqs", "32"]
    }

    @Test(arguments: [("1P1D", "127.0.0.1:9000"), ("2P1D", "127.0.0.1:9000,127.0.0.2:9001")])
    func playbookStartWritesTheScriptsConfig(_ shape: String, _ prefill: String) throws {
        let settings = try OmniProxySettings(arguments: Self.playbookArguments(prefill: prefill) + ["--dry-run"])
        let expected = try Golden.bytes("omni-proxy/\(shape).conf")
        let ours = Array(OmniProxyConfig.render(settings).utf8)
        #expect(Golden.difference(ours, expected) == nil, "\(Golden.difference(ours, expected) ?? "")")
        #expect(settings.port == 7000)
    }

    @Test func defaultsWithoutModelPath() throws {
        let settings = try OmniProxySettings(arguments: [
            "--listen-port", "7150", "--prefill-endpoints", "10.0.0.1:9000", "--decode-endpoints", "10.0.0.2:9100,10.0.0.2:9101",
            "--core-num", "2", "--start-core-index", "0", "--omni-proxy-pd-policy", "parallel"])
        let expected = try Golden.bytes("omni-proxy/no-model-path.conf")
        #expect(Golden.difference(Array(OmniProxyConfig.render(settings).utf8), expected) == nil)
    }

    /// The script's exits: help and status 0 for an unknown word, 1 for a bad policy, a missing value or
    /// missing endpoints.
    @Test func scriptExits() {
        func exit(_ argv: [String]) -> Int32? {
            do { _ = try OmniProxySettings(arguments: argv); return nil } catch { return error.status }
        }
        let base = ["--prefill-endpoints", "a:1", "--decode-endpoints", "b:2"]
        #expect(exit(base) == nil)
        #expect(exit(base + ["--prefill-lb-sdk", "x"]) == 0)
        #expect(exit(base + ["--omni-proxy-pd-policy", "random"]) == 1)
        #expect(exit(base + ["--log-level"]) == 1)
        #expect(exit(["--prefill-endpoints", "a:1"]) == 1)
    }
}
