import Testing
@testable import Core

@Suite struct HostTests {
    @Test func copiesAreIndependentValues() {
        let original = Host(name: "p0", address: "10.0.0.1", nodePort: 8000,
                            duty: .prefill(ServerPlacement(hostIP: "10.0.0.1", devices: "0,1", apiPort: 9000), kvRank: 0))
        var copy = original
        #expect(copy == original && copy.hashValue == original.hashValue)
        copy.nodePort = 8001
        copy.fieldLocations["node_port"] = SourceLocation(file: "inv.yml", line: 3, column: 5)
        #expect(original.nodePort == 8000 && original.fieldLocations.isEmpty)
        #expect(copy.nodePort == 8001 && copy != original)
        var same = original
        same.nodePort = 8000
        #expect(same == original && Set([same, original]).count == 1)
        #expect(copy.location(of: "node_port")?.line == 3 && original.location(of: "node_port") == nil)
    }

    /// The scripts split the device list at every comma, as bash does; a combining mark after a comma
    /// forms one Character with it, but the comma still separates (bash's `tr , '\n' | wc -l` counts 3).
    @Test func deviceListsAreSplitAtEveryComma() {
        let placement = ServerPlacement(hostIP: "10.0.0.1", devices: "0,\u{301}1,2", apiPort: 9000)
        #expect(placement.deviceCount == 3)
        #expect(placement.deviceIDs == ["0", "\u{301}1", "2"])
        #expect(placement.joinedDevices == "0\u{301}12")
        #expect(DeviceFormatRule.problem(in: "0,\u{301}1") == "only digits and commas are allowed")
    }
}
