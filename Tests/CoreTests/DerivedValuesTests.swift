import Testing
@testable import Core

@Suite struct DerivedValuesTests {
    let devs = "0123456789101112131415"

    @Test func containerNamesFollowChangedSettingsAndHosts() {
        var settings = DeploymentSettings()
        let p0 = TestHosts.twoPOneD[0]
        #expect(Cluster(hosts: TestHosts.twoPOneD, settings: settings).containerName(p0) == "you_name_omni_infer_prefill_p0")
        settings.dockerNamePrefill = "pre"
        let cluster = Cluster(hosts: TestHosts.twoPOneD, settings: settings)
        #expect(cluster.containerName(p0) == "pre_p0")
        var renamed = p0
        renamed.name = "renamed"
        #expect(cluster.containerName(renamed) == "pre_renamed")
        var asDecode = p0
        asDecode.duty = .decode(p0.server!)
        #expect(cluster.containerName(asDecode) == "you_name_omni_infer_decode_p0")
    }

    @Test func twoPOneD() {
        let cluster = Cluster(hosts: TestHosts.twoPOneD)
        let d = cluster.derived, dec = cluster.decodeInstance
        #expect(d.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001")
        #expect(d.decodeAPIServerList == "127.0.0.3:9100@15,127.0.0.4:9101@15")
        #expect(d.prefillPodNum == 2)
        #expect(dec.podCount == 2)
        #expect(dec.serverIPList == "127.0.0.3,127.0.0.4")
        #expect(dec.dataParallelSize == 32)
        #expect(dec.offsetLiteral == "{'d0': 0, 'd1': 16}")
        #expect(d.prefillMergeRanktableList == "collect_files_p/local_ranktable_127.0.0.1_\(devs).json;collect_files_p/local_ranktable_127.0.0.2_\(devs).json")
        #expect(dec.ranktableList == "collect_files_d/local_ranktable_127.0.0.3_\(devs).json,collect_files_d/local_ranktable_127.0.0.4_\(devs).json")
        let p0 = cluster.host(named: "p0")!, d1 = cluster.host(named: "d1")!
        #expect(cluster.prefillInstances.map(\.nodeIPList) == ["127.0.0.1", "127.0.0.2"])
        #expect(cluster.prefillInstances.map(\.nodeCount) == [1, 1])
        #expect(cluster.prefillInstances.map(\.kvRank) == [0, 1])
        #expect(cluster.prefillInstance(of: cluster.host(named: "d0")!) == nil)
        #expect(d.kvParallelSize == 3)
        #expect(dec.kvRank == 2)
        #expect(cluster.prefillInstance(of: p0)!.tensorParallelSize(of: p0) == 16)
        #expect(cluster.apiServerCount(p0) == 1)
        #expect(cluster.apiServerCount(d1) == 16)
        #expect(cluster.apiPorts(d1) == Array(9101...9116))
        #expect(dec.serverOffset(of: "d1") == 16)
        #expect(cluster.containerName(p0) == "you_name_omni_infer_prefill_p0")
        #expect(cluster.containerName(d1) == "you_name_omni_infer_decode_d1")
        #expect(cluster.containerName(cluster.host(named: "c0")!) == "you_name_omni_infer_proxy_c0")
    }

    @Test func fourPOneD() {
        let cluster = Cluster(hosts: TestHosts.fourPOneD)
        let d = cluster.derived, dec = cluster.decodeInstance
        #expect(d.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001,127.0.0.3:9002,127.0.0.4:9003")
        #expect(d.decodeAPIServerList == "127.0.0.5:9100@15,127.0.0.6:9101@15,127.0.0.7:9102@15,127.0.0.8:9103@15")
        #expect(d.prefillPodNum == 4 && dec.podCount == 4)
        #expect(dec.serverIPList == "127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8")
        #expect(dec.dataParallelSize == 64)
        #expect(dec.offsetLiteral == "{'d0': 0, 'd1': 16, 'd2': 32, 'd3': 48}")
        #expect(d.kvParallelSize == 5 && dec.kvRank == 4)
    }

    @Test func onePOneD() {
        let hosts = TestHosts.twoPOneD.filter { $0.name != "p1" }
        let d = Cluster(hosts: hosts).derived
        #expect(d.prefillAPIServerList == "127.0.0.1:9000")
        #expect(d.prefillPodNum == 1)
        #expect(d.kvParallelSize == 2)
        #expect(d.decodeAPIServerList == "127.0.0.3:9100@15,127.0.0.4:9101@15")
    }

    @Test func multiNodePrefill() {
        let cluster = Cluster(hosts: TestHosts.multiNodeP)
        let d = cluster.derived
        #expect(d.prefillPodNum == 2)
        #expect(d.prefillAPIServerList == "10.0.0.1:9000,10.0.0.3:9001")
        let pa = cluster.host(named: "pa")!, pb = cluster.host(named: "pb")!
        let first = cluster.prefillInstance(of: pa)!
        #expect(first == cluster.prefillInstance(of: pb) && first.hosts.map(\.name) == ["pa", "pb"])
        #expect(first.nodeIPList == "10.0.0.1,10.0.0.2" && first.nodeCount == 2 && first.isMultiNode)
        #expect(first.master?.name == "pa" && first.followers.map(\.name) == ["pb"] && first.kvRank == 0)
        #expect(pb.nodePort == 8000 && pb.apiPort == 9000)
        #expect(first.tensorParallelSize(of: pa) == 32)
        #expect(d.prefillMergeRanktableList == "collect_files_p/local_ranktable_10.0.0.1_\(devs).json,collect_files_p/local_ranktable_10.0.0.2_\(devs).json;collect_files_p/local_ranktable_10.0.0.3_\(devs).json")
        #expect(cluster.apiServerCount(cluster.host(named: "pb")!) == 0)
    }

    @Test func followerBeforeMasterIsDropped() {
        var hosts = TestHosts.multiNodeP
        hosts.swapAt(0, 1)
        let list = Cluster(hosts: hosts).derived.prefillMergeRanktableList
        #expect(!list.contains("10.0.0.2"))
        #expect(list == "collect_files_p/local_ranktable_10.0.0.1_\(devs).json;collect_files_p/local_ranktable_10.0.0.3_\(devs).json")
    }

    @Test func decodeMasterSecondKeepsInventoryOffsets() {
        let hosts = [TestHosts.p("p0", "127.0.0.1", kv: 0),
                     TestHosts.d("d1", "127.0.0.4", rank: 1, master: "127.0.0.3"),
                     TestHosts.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3")]
        let dec = Cluster(hosts: hosts).decodeInstance
        #expect(dec.offsetLiteral == "{'d1': 0, 'd0': 16}")
        #expect(dec.serverIPList == "127.0.0.3,127.0.0.4")
    }

    @Test func twoPrefillInstancesOnOneMachine() {
        let hosts = [TestHosts.p("p0", "127.0.0.1", kv: 0), TestHosts.p("p1", "127.0.0.1", kv: 1),
                     TestHosts.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3")]
        let cluster = Cluster(hosts: hosts)
        let d = cluster.derived
        #expect(d.prefillPodNum == 1)
        #expect(d.prefillMergeRanktableList.split(separator: ";").count == 2)
        // Both share host_ip, so the reference playbook sees one instance of two nodes on one machine.
        let instance = cluster.prefillInstance(of: hosts[0])!
        #expect(cluster.prefillInstances.count == 1 && instance.nodeIPList == "127.0.0.1" && instance.nodeCount == 2)
        #expect(!instance.isMultiNode)
    }
}
