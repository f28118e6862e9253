import Testing
@testable import Core

@Suite struct DerivedValuesTests {
    let devs = "0123456789101112131415"

    @Test func containerNamesFollowChangedSettingsAndHosts() {
        var cluster = Cluster(hosts: TestHosts.twoPOneD)
        let p0 = cluster.hosts[0]
        #expect(cluster.containerName(p0) == "you_name_omni_infer_prefill_p0")
        cluster.settings.dockerNamePrefill = "pre"
        #expect(cluster.containerName(p0) == "pre_p0")
        cluster.hosts[0].name = "renamed"
        #expect(cluster.containerName(cluster.hosts[0]) == "pre_renamed")
        var asDecode = p0
        asDecode.role = .decode
        #expect(cluster.containerName(asDecode) == "you_name_omni_infer_decode_p0")
    }

    @Test func twoPOneD() {
        let cluster = Cluster(hosts: TestHosts.twoPOneD)
        let d = cluster.derived
        #expect(d.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001")
        #expect(d.decodeAPIServerList == "127.0.0.3:9100@15,127.0.0.4:9101@15")
        #expect(d.prefillPodNum == 2)
        #expect(d.decodePodNum == 2)
        #expect(d.decodeServerIPList == "127.0.0.3,127.0.0.4")
        #expect(d.decodeDataParallelSize == 32)
        #expect(d.decodeServerOffsetLiteral == "{'d0': 0, 'd1': 16}")
        #expect(d.decodeServerOffsetBash == "( [d0]=0 [d1]=16 )")
        #expect(d.prefillMergeRanktableList == "collect_files_p/local_ranktable_127.0.0.1_\(devs).json;collect_files_p/local_ranktable_127.0.0.2_\(devs).json")
        #expect(d.decodeRanktableList == "collect_files_d/local_ranktable_127.0.0.3_\(devs).json,collect_files_d/local_ranktable_127.0.0.4_\(devs).json")
        #expect(d.nodeIPList(of: "p0") == "127.0.0.1" && d.nnodes(of: "p0") == 1)
        #expect(d.nodeIPList(of: "p1") == "127.0.0.2" && d.nnodes(of: "p1") == 1)
        #expect(d.nodeIPList(of: "d0") == nil)
        #expect(d.kvParallelSize == 3)
        #expect(d.decodeKVRank == 2)
        let p0 = cluster.host(named: "p0")!, d1 = cluster.host(named: "d1")!
        #expect(cluster.prefillTensorParallelSize(p0) == 16)
        #expect(cluster.apiServerCount(p0) == 1)
        #expect(cluster.apiServerCount(d1) == 16)
        #expect(cluster.apiPorts(d1) == Array(9101...9116))
        #expect(d.serverOffset(of: "d1") == 16)
        #expect(cluster.containerName(p0) == "you_name_omni_infer_prefill_p0")
        #expect(cluster.containerName(d1) == "you_name_omni_infer_decode_d1")
        #expect(cluster.containerName(cluster.host(named: "c0")!) == "you_name_omni_infer_proxy_c0")
    }

    @Test func fourPOneD() {
        let d = Cluster(hosts: TestHosts.fourPOneD).derived
        #expect(d.prefillAPIServerList == "127.0.0.1:9000,127.0.0.2:9001,127.0.0.3:9002,127.0.0.4:9003")
        #expect(d.decodeAPIServerList == "127.0.0.5:9100@15,127.0.0.6:9101@15,127.0.0.7:9102@15,127.0.0.8:9103@15")
        #expect(d.prefillPodNum == 4 && d.decodePodNum == 4)
        #expect(d.decodeServerIPList == "127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8")
        #expect(d.decodeDataParallelSize == 64)
        #expect(d.decodeServerOffsetLiteral == "{'d0': 0, 'd1': 16, 'd2': 32, 'd3': 48}")
        #expect(d.kvParallelSize == 5 && d.decodeKVRank == 4)
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
        #expect(d.nodeIPList(of: "pa") == "10.0.0.1,10.0.0.2" && d.nnodes(of: "pa") == 2)
        #expect(d.nodeIPList(of: "pb") == "10.0.0.1,10.0.0.2" && d.nnodes(of: "pb") == 2)
        #expect(cluster.host(named: "pb")!.nodePort == 8000 && cluster.host(named: "pb")!.apiPort == 9000)
        #expect(cluster.prefillTensorParallelSize(cluster.host(named: "pa")!) == 32)
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
        let d = Cluster(hosts: hosts).derived
        #expect(d.decodeServerOffsetLiteral == "{'d1': 0, 'd0': 16}")
        #expect(d.decodeServerIPList == "127.0.0.3,127.0.0.4")
    }

    @Test func twoPrefillInstancesOnOneMachine() {
        let hosts = [TestHosts.p("p0", "127.0.0.1", kv: 0), TestHosts.p("p1", "127.0.0.1", kv: 1),
                     TestHosts.d("d0", "127.0.0.3", rank: 0, master: "127.0.0.3")]
        let d = Cluster(hosts: hosts).derived
        #expect(d.prefillPodNum == 1)
        #expect(d.prefillMergeRanktableList.split(separator: ";").count == 2)
        #expect(d.nodeIPList(of: "p0") == "127.0.0.1" && d.nnodes(of: "p0") == 2)
    }
}
