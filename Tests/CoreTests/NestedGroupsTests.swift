import Foundation
import Testing
@testable import Core

/// Inventories with child groups, read as Ansible reads them: roles from the top-level group, variables
/// from the innermost group outwards, `group_names` flattened and sorted, `groups[...]` and the play's
/// host order level by level.
@Suite struct NestedGroupsTests {
    static let upstream = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios/inventories/upstream").path

    /// The upstream 2P2D inventory, as shipped: D0 = d0 (master .3) + d1, D1 = d2 (master .5) + d3.
    @Test func upstreamTwoDecodeInventoryLoadsUnchanged() throws {
        let inventory = try InventoryLoader.load(path: "\(Self.upstream)/omni_infer_inventory_used_for_2P2D.yml")
        // Ansible plays `hosts: all` in the order of groups['all']: P's and C's own hosts, then D0's and D1's.
        #expect(inventory.hosts.map(\.name) == ["p0", "p1", "c0", "d0", "d1", "d2", "d3"])
        let byName = Dictionary(uniqueKeysWithValues: inventory.hosts.map { ($0.name, $0) })
        #expect(byName["d1"]?.role == .decode)
        #expect(byName["d1"]?.groupNames == ["D", "D0"])
        #expect(byName["d2"]?.groupNames == ["D", "D1"])
        #expect(byName["p0"]?.groupNames == ["P"])
        // The V2 port formulas: node_port = base + offset.D, api_port = base + offset.D + node_rank.
        #expect(["d0", "d1", "d2", "d3"].map { byName[$0]?.apiPort } == [9100, 9101, 9100, 9101])
        #expect(["d0", "d1", "d2", "d3"].map { byName[$0]?.hostIP } == ["127.0.0.3", "127.0.0.3", "127.0.0.5", "127.0.0.5"])
        #expect(inventory.globals.groups.first { $0.name == "D" }?.members == ["d0", "d1", "d2", "d3"])
        #expect(inventory.globals.groups.first { $0.name == "D1" }?.parent == "D")
        #expect(inventory.globals.lmcachePorts?.etcd == 6000)
    }

    /// The upstream A3 inventory: PA = p0, p1 on devices 0-7 and PB = p2, p3 on devices 8-15 of the same
    /// two machines, kv_rank 0-3.
    @Test func upstreamTwoPrefillPerMachineInventoryLoadsUnchanged() throws {
        let inventory = try InventoryLoader.load(path: "\(Self.upstream)/omni_infer_inventory_used_for_4P1D_a3_1machine2p.yml")
        #expect(inventory.hosts.map(\.name) == ["d0", "d1", "d2", "d3", "c0", "p0", "p1", "p2", "p3"])
        let prefill = inventory.hosts.filter { $0.role == .prefill }
        #expect(prefill.map(\.groupNames) == [["P", "PA"], ["P", "PA"], ["P", "PB"], ["P", "PB"]])
        #expect(prefill.map(\.nodePort) == [8000, 8001, 8002, 8003])
        #expect(prefill.compactMap(\.apiPort) == [9000, 9001, 9002, 9003])
        #expect(prefill.compactMap(\.deviceString) == ["0,1,2,3,4,5,6,7", "0,1,2,3,4,5,6,7", "8,9,10,11,12,13,14,15", "8,9,10,11,12,13,14,15"])
        #expect(inventory.globals.groups.first { $0.name == "P" }?.members == ["p0", "p1", "p2", "p3"])
    }

    static let layered = """
    all:
      vars:
        ascend_rt_visible_devices: "0"
        api_base: 9000
      children:
        P:
          vars:
            ascend_rt_visible_devices: "0,1"
            api_base: 9500
          children:
            PA:
              vars:
                ascend_rt_visible_devices: "2,3"
              children:
                PA_inner:
                  hosts:
                    p0: {ansible_host: "10.0.0.1", node_rank: 0, kv_rank: 0, host_ip: "10.0.0.1", node_port: 8000, api_port: "{{ api_base + kv_rank }}"}
                    p1: {ansible_host: "10.0.0.2", node_rank: 0, kv_rank: 1, host_ip: "10.0.0.2", node_port: 8001, api_port: "{{ api_base + kv_rank }}", ascend_rt_visible_devices: "4,5"}
          hosts:
            p2: {ansible_host: "10.0.0.3", node_rank: 0, kv_rank: 2, host_ip: "10.0.0.3", node_port: 8002, api_port: "{{ api_base + kv_rank }}"}
        D:
          hosts:
            d0: {ansible_host: "10.0.0.9", node_rank: 0, host_ip: "10.0.0.9", node_port: 8100, api_port: 9100, ascend_rt_visible_devices: "0"}
    """

    /// Ansible's precedence: a host's own value over its group's, a child group's over its parent's, any
    /// group's over `all.vars`; each value keeps the location it was written at.
    @Test func variablesAreInheritedChildOverParentAndHostOverGroup() throws {
        let path = try LoaderTests().write(Self.layered)
        let inventory = try InventoryLoader.load(path: path)
        let byName = Dictionary(uniqueKeysWithValues: inventory.hosts.map { ($0.name, $0) })
        #expect(byName["p0"]?.deviceString == "2,3")      // PA.vars over P.vars over all.vars
        #expect(byName["p1"]?.deviceString == "4,5")      // host over every group
        #expect(byName["p2"]?.deviceString == "0,1")      // P.vars over all.vars
        #expect(byName["d0"]?.deviceString == "0")
        #expect(byName["p0"]?.apiPort == 9500)            // P.vars api_base, three levels up
        #expect(byName["p0"]?.groupNames == ["P", "PA", "PA_inner"])
        // P's own host comes first, then the hosts of deeper levels.
        #expect(inventory.hosts.map(\.name) == ["p2", "d0", "p0", "p1"])
        let lines = Self.layered.split(separator: "\n", omittingEmptySubsequences: false)
        let paLine = lines.firstIndex { $0.contains("\"2,3\"") }! + 1
        #expect(byName["p0"]?.fieldLocations["ascend_rt_visible_devices"]?.line == paLine)
        #expect(byName["p0"]?.fieldLocations["ascend_rt_visible_devices"]?.file == path)
    }

    @Test func groupsMagicListsNestedMembers() throws {
        let text = Self.layered.replacingOccurrences(of: "api_port: 9100,", with: "api_port: \"{{ 9100 + groups['P'] | length }}\",")
        let inventory = try InventoryLoader.load(path: try LoaderTests().write(text))
        #expect(inventory.hosts.first { $0.name == "d0" }?.apiPort == 9103)
    }

    @Test func badNestingIsALocatedError() throws {
        let loader = LoaderTests()
        let nestedRole = try loader.error(Self.layered.replacingOccurrences(of: "PA_inner:", with: "D:"))
        #expect(nestedRole.code == "OMS003")
        #expect(nestedRole.message.contains("cannot be nested"))
        let twice = try loader.error(Self.layered.replacingOccurrences(of: "PA_inner:", with: "PA:"))
        #expect(twice.code == "OMS005")
        let badKey = try loader.error(Self.layered.replacingOccurrences(of: "      children:\n        PA:", with: "      childs:\n        PA:"))
        #expect(badKey.code == "OMS003")
        #expect(badKey.hint?.contains("children") == true)
    }
}
