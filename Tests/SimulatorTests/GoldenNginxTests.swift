import Foundation
import Testing
@testable import Simulator
import TestSupport

/// The nginx.conf the rehearsal leaves in the proxy container, for every balancer pair the reference
/// script was run with, against the reference's bytes.
@Suite struct GoldenNginxTests {
    /// A recorded pair: the two balancer values and the file the reference wrote for them (nil: exit 1).
    struct Pair: Decodable, Sendable {
        let file: String?
        let PREFILL_LB_SDK: String
        let DECODE_LB_SDK: String
        let flavour: String
    }

    /// Pairs whose rehearsal deliberately gives another golden file than the reference playbook's, by the
    /// playbook file's name (or, where the playbook made global_proxy.sh exit 1, the pair), with the file
    /// omnisim writes instead and why.
    static let exceptions: [String: (instead: String, reason: String)] = [
        "p-EMPTY__d-EMPTY.conf": ("p-EMPTY__d-EMPTY.direct.conf", Self.quotingReason),
        "p-EMPTY__d-pd_score_balance (exit 1)": ("p-EMPTY__d-pd_score_balance.direct.conf", Self.quotingReason),
        "p-pd_score_balance__d-EMPTY (exit 1)": ("p-pd_score_balance__d-EMPTY.direct.conf", Self.quotingReason),
    ]
    static let quotingReason = """
        omnisim's run_proxy_server.sh quotes $PREFILL_LB_SDK and $DECODE_LB_SDK, so an empty value reaches \
        global_proxy.sh as one empty argument; the reference playbook's unquoted expansion drops the word, so the option \
        swallows the next option name (the wrong balancer) or the script exits 1 and no proxy starts
        """

    static func pairs(_ shape: String) throws -> [Pair] {
        try JSONDecoder().decode([Pair].self, from: Data(Golden.bytes("nginx/\(shape)/index.json")))
    }

    func rehearsedConfig(_ shape: String, prefill: String, decode: String) throws -> [UInt8]? {
        let settings = "settings: { PREFILL_LB_SDK: \"\(prefill)\", DECODE_LB_SDK: \"\(decode)\" }"
        let r = Rehearsal.run(try Golden.scenario(shape, extra: settings))
        let proxy = try #require(r.cluster.proxy.first)
        let container = r.world.machine(for: proxy).containers[r.cluster.containerName(proxy)]
        return container?.files["/usr/local/nginx/conf/nginx.conf"].map { Array($0.content.utf8) }
    }

    @Test func theDefaultPairGivesTheReferenceConfig() throws {
        for shape in ["1P1D", "2P1D", "4P1D"] {
            let golden = try Golden.bytes("nginx/\(shape)/p-pd_score_balance__d-pd_score_balance.conf")
            let mine = try #require(try rehearsedConfig(shape, prefill: "pd_score_balance", decode: "pd_score_balance"), "\(shape): no nginx.conf")
            if let d = Golden.difference(mine, golden) { Issue.record("\(shape): \(d)") }
        }
    }

    /// Every pair of 2P1D, the shape with the most: the playbook-flavour file, or the listed exception.
    @Test func everyRecordedPairGivesTheReferenceConfig() throws {
        var used: Set<String> = []
        for pair in try Self.pairs("2P1D") where pair.flavour == "playbook" {
            let name = pair.file ?? "p-\(pair.PREFILL_LB_SDK.isEmpty ? "EMPTY" : pair.PREFILL_LB_SDK)__d-\(pair.DECODE_LB_SDK.isEmpty ? "EMPTY" : pair.DECODE_LB_SDK) (exit 1)"
            let exception = Self.exceptions[name]
            if exception != nil { used.insert(name) }
            guard let expected = exception?.instead ?? pair.file else {
                Issue.record("\(name): the reference exited 1 and no exception says what omnisim does instead")
                continue
            }
            let mine = try rehearsedConfig("2P1D", prefill: pair.PREFILL_LB_SDK, decode: pair.DECODE_LB_SDK)
            guard let mine else { Issue.record("\(name): the rehearsal wrote no nginx.conf"); continue }
            if let d = Golden.difference(mine, try Golden.bytes("nginx/2P1D/\(expected)")) {
                Issue.record("\(name) (expected \(expected)\(exception.map { ": " + $0.reason } ?? "")): \(d)")
            }
        }
        #expect(used == Set(Self.exceptions.keys), "every listed exception is a recorded pair")
    }
}
