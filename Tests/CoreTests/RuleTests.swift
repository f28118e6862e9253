import Testing
@testable import Core

@Suite struct RuleTests {
    typealias H = TestHosts

    func codes(_ hosts: [Host], globals: InventoryGlobals = InventoryGlobals(), settings: DeploymentSettings = DeploymentSettings()) -> [String] {
        RuleSet.check(Cluster(hosts: hosts, globals: globals, settings: settings)).map(\.code)
    }

    func lmcacheGlobals(_ ports: [Int?]) -> InventoryGlobals {
        var g = InventoryGlobals()
        g.etcdPort = ports[0].map { LocatedInt($0) }
        g.mooncakeMasterPort = ports[1].map { LocatedInt($0) }
        g.mooncakeMetricsPort = ports[2].map { LocatedInt($0) }
        return g
    }

    @Test func samplesAreClean() {
        #expect(codes(H.twoPOneD) == [])
        #expect(codes(H.fourPOneD) == [])
        #expect(codes(H.multiNodeP + [H.c("10.0.0.1")]) == [])
    }

    @Test func missingProxyIsAWarning() {
        let findings = RuleSet.check(Cluster(hosts: H.twoPOneD.filter { $0.role != .proxy }))
        #expect(findings.map(\.code) == ["OMS101"])
        #expect(findings[0].severity == .warning)
    }

    @Test func prefillMustComeFirst() {
        var hosts = H.twoPOneD
        hosts.insert(hosts.remove(at: 2), at: 0)
        #expect(codes(hosts).contains("OMS102"))
    }

    @Test func decodeMasterFirst() {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0), H.d("d1", "127.0.0.4", rank: 1, master: "127.0.0.3"),
                     H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(hosts) == ["OMS103"])
    }

    @Test func decodeHostIPMustBeTheMaster() {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0), H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"),
                     H.d("d1", "127.0.0.4", rank: 1, master: "127.0.0.4"), H.c()]
        let found = RuleSet.check(Cluster(hosts: hosts))
        #expect(found.map(\.code) == ["OMS104"])
        #expect(found[0].subject == "d1")
    }

    @Test func followerMustFollowMaster() {
        var hosts = H.multiNodeP + [H.c("10.0.0.1")]
        hosts.swapAt(0, 1)
        #expect(codes(hosts).contains("OMS105"))
        let orphan = [H.p("pa", "10.0.0.1", kv: 0), H.p("pb", "10.0.0.2", kv: 0, hostIP: "10.0.0.9", rank: 1),
                      H.d("d0", "10.0.0.5", rank: 0, master: "10.0.0.5"), H.c("10.0.0.1")]
        #expect(codes(orphan).contains("OMS105"))
    }

    @Test func onePrefillInstancePerMachine() {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0, devices: "0,1,2,3"), H.p("p1", "127.0.0.1", kv: 1, devices: "4,5,6,7"),
                     H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(hosts).contains("OMS106"))
    }

    @Test func kvRanks() {
        let dup = [H.p("p0", "127.0.0.1", kv: 0), H.p("p1", "127.0.0.2", kv: 0), H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(dup).contains("OMS107"))
        let gap = [H.p("p0", "127.0.0.1", kv: 0), H.p("p1", "127.0.0.2", kv: 5), H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(gap).contains("OMS107"))
        var split = H.multiNodeP + [H.c("10.0.0.1")]
        split[1].duty = .prefill(split[1].server!, kvRank: 1)
        #expect(codes(split).contains("OMS107"))
    }

    @Test(arguments: ["0,1,2,", "0, 1", "", "0,,1", "a,b"])
    func deviceFormat(_ devices: String) {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0, devices: devices), H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(hosts).contains("OMS108"))
    }

    @Test func duplicateDevice() {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0, devices: "0,1,1"), H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(hosts).contains("OMS109"))
    }

    @Test func ambiguousRanktableNames() {
        let hosts = [H.p("p0", "127.0.0.1", kv: 0, devices: "5"), H.p("p1", "127.0.0.1", kv: 1, devices: "1,5"),
                     H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(codes(hosts).contains("OMS110"))
        let fine = [H.p("p0", "127.0.0.1", kv: 0, devices: "0,1"), H.p("p1", "127.0.0.2", kv: 1, devices: "1"),
                    H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3"), H.c()]
        #expect(!codes(fine).contains("OMS110"))
    }

    @Test func decodeTensorParallel() {
        var settings = DeploymentSettings()
        settings.decodeTensorParallelSize = "2"
        #expect(codes(H.twoPOneD, settings: settings) == ["OMS111"])
        settings.decodeTensorParallelSize = "x"
        #expect(codes(H.twoPOneD, settings: settings) == ["OMS111"])
    }

    @Test func portCollision() {
        // The proxy listens on 9000, where p0's API server is, on the same machine.
        let hosts = H.twoPOneD.dropLast() + [H.c("127.0.0.1", port: 9000)]
        let found = RuleSet.check(Cluster(hosts: Array(hosts)))
        #expect(found.map(\.code) == ["OMS113"])
        #expect(found[0].message.contains("9000"))
        #expect(codes(H.twoPOneD.dropLast() + [H.c("127.0.0.3", port: 9105)]) == ["OMS113"])
    }

    @Test func portRange() {
        var p = H.p("p0", "127.0.0.1", kv: 0)
        var d = H.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3")
        d.server?.apiPort = 65530
        p.server?.apiPort = 9000
        #expect(codes([p, d, H.c()]).contains("OMS114"))
    }

    @Test func proxyPort() {
        #expect(codes(H.twoPOneD.dropLast() + [H.c(port: 80)]) == ["OMS115"])
        #expect(codes(H.twoPOneD.dropLast() + [H.c(port: 65501)]) == ["OMS115"])
        #expect(codes(H.twoPOneD.dropLast() + [H.c(port: 1024)]) == [])
    }

    @Test func lmcachePorts() {
        #expect(codes(H.twoPOneD, globals: lmcacheGlobals([6000, 6001, 6002])) == [])
        #expect(codes(H.twoPOneD, globals: lmcacheGlobals([6000, nil, nil])) == ["OMS116"])
        #expect(codes(Array(H.twoPOneD.dropLast()), globals: lmcacheGlobals([6000, 6001, 6002])).contains("OMS116"))
        var settings = DeploymentSettings()
        settings.kvConnector = "LMCacheConnectorV1"
        #expect(codes(H.twoPOneD, settings: settings) == ["OMS116"])
        #expect(codes(H.twoPOneD, globals: lmcacheGlobals([6000, 6001, 6002]), settings: settings) == [])
    }

    @Test func lmcachePortsCollideWithProxy() {
        #expect(codes(H.twoPOneD.dropLast() + [H.c(port: 6001)], globals: lmcacheGlobals([6000, 6001, 6002])) == ["OMS113"])
    }

    @Test func balancerAndConnectorNames() {
        var settings = DeploymentSettings()
        settings.decodeLBSDK = "pd_score_balanse"
        let found = RuleSet.check(Cluster(hosts: H.twoPOneD, settings: settings))
        #expect(found.map(\.code) == ["OMS117"])
        #expect(found[0].hint == "did you mean 'pd_score_balance'?")
        settings = DeploymentSettings()
        settings.kvConnector = "HcclConnector"
        #expect(codes(H.twoPOneD, settings: settings) == ["OMS118"])
    }

    @Test func everyRuleHasAUniqueCode() {
        let all = RuleSet.all.map(\.code)
        #expect(Set(all).count == all.count)
    }
}

/// OMS127 on machines that hold several P or D hosts.
@Suite struct SharedMachineDeviceTests {
    @Test func overlappingDevicesOnOneMachineAreRefused() {
        var hosts = TestHosts.twoPOneD
        // d0 moves onto p0's machine with p0's devices.
        let p0 = hosts[0]
        let i = hosts.firstIndex { $0.role == .decode }!
        hosts[i].address = p0.address
        let findings = RuleSet.check(Cluster(hosts: hosts)).filter { $0.code == "OMS127" }
        #expect(findings.count == 1)
        #expect(findings.first?.subject == "machine \(p0.address)")
        #expect(findings.first?.message.contains("is given to both '\(p0.name)' and '\(hosts[i].name)'") == true)
        // The same machine with split devices passes.
        hosts[i].server?.devices = "8,9"
        hosts[0].server?.devices = "0,1"
        #expect(RuleSet.check(Cluster(hosts: hosts)).filter { $0.code == "OMS127" }.isEmpty)
    }
}
