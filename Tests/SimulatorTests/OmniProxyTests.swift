import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// USE_OMNI_PROXY=1 on the reference 2P1D inventory: the proxy the C host runs writes exactly what the
/// upstream omni_proxy.sh writes for the template's start (Tests/Golden/omni-proxy), and each P server
/// publishes its KV-cache events on api_port + 100 with prefix caching left on, as the upstream template's
/// prefill script renders it.
@Suite struct OmniProxyTests {
    static func rehearsal() throws -> Rehearsal {
        let scenario = try LaunchReplayTests.scenario("2P1D", name: "2P1D-omni", settings: "USE_OMNI_PROXY: \"1\"")
        return Rehearsal.run(scenario, options: RunOptions(skipTags: ["fetch_log"]))
    }

    @Test func proxyWritesWhatOmniProxyShWrites() throws {
        let rehearsal = try Self.rehearsal()
        #expect(rehearsal.run.succeeded, "\(rehearsal.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let c0 = try #require(rehearsal.cluster.host(named: "c0"))
        let container = try #require(rehearsal.world.machine(for: c0).containers[rehearsal.cluster.containerName(c0)])
        let conf = try #require(container.files[World.nginxConfig]).content
        let expected = try Golden.bytes("omni-proxy/2P1D.conf")
        #expect(Golden.difference(Array(conf.utf8), expected) == nil, "\(Golden.difference(Array(conf.utf8), expected) ?? "")")
    }

    @Test func prefillServersPublishKVEventsOnTheirAPIPortPlus100() throws {
        let rehearsal = try Self.rehearsal()
        for (host, api) in [("p0", 9000), ("p1", 9001)] {
            let machine = rehearsal.world.machine(for: try #require(rehearsal.cluster.host(named: host)))
            let starts = try LaunchReplayTests.replay(host, in: rehearsal.run, machine: machine)
            let pdRun = try #require(starts.first { $0.tool == "pd_run.sh" })
            let extra = try #require(UpstreamFacts.options(pdRun.argv)["--extra-args"])
            let config = "{\"enable_kv_cache_events\":true,\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:\(api + 100)\"}"
            #expect(extra == "--max-num-batched-tokens 30000 --enforce-eager --enable-expert-parallel --disable-log-requests --max-num-seqs 16 --kv-events-config \(config)")
            #expect(pdRun.env["USE_OMNI_PROXY"] == "1", "\(host): the P exec passes USE_OMNI_PROXY")
            #expect(machine.owner(of: api + 100) != nil, "\(host): nothing listens on \(api + 100)")
        }
        // The proxy's start gets the switch and the model path.
        let starts = rehearsal.transcript.filter { $0.step == "start-proxy" }
        guard case .exec(let exec)? = starts.first?.operation else { Issue.record("no proxy start"); return }
        #expect(exec.environment.contains(EnvVar("USE_OMNI_PROXY", "1")))
        #expect(exec.environment.contains(EnvVar("MODEL_PATH", DeploymentSettings().modelPath)))
    }

    /// Without the switch, nothing changes: the V2 template's global_proxy.sh and no KV-events port.
    @Test func offByDefault() throws {
        let scenario = try LaunchReplayTests.scenario("2P1D", name: "2P1D")
        #expect(!scenario.settings.usesOmniProxy)
        #expect(!PortPlan(scenario.cluster).bindings.contains { $0.port == 9100 && $0.host == "p0" })
    }
}
