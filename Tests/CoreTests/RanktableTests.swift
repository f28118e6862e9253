import Testing
@testable import Core

@Suite struct RanktableTests {
    /// hccn_tool's answer in the tests: device i → 29.1.0.i.
    let deviceIP: (String) -> String? = { id in Int(id).map { "29.1.0.\($0)" } }
    let sixteen = (0..<16).map(String.init)

    @Test func localFileMatchesThePythonTool() throws {
        let files = try Ranktable.gen(serverIP: "10.0.0.1", prefillLists: [["0", "1"]], decodeLists: [], apiServer: true, deviceIP: deviceIP)
        #expect(files.map(\.fileName) == ["global_ranktable_10.0.0.1.json", "local_ranktable_10.0.0.1_01.json", "local_ranktable_10.0.0.1_host.json"])
        #expect(files[1].json == """
        {
            "version": "1.0",
            "status": "completed",
            "group_id": "0",
            "server_count": "1",
            "server_list": [
                {
                    "server_id": "10.0.0.1",
                    "server_ip": "10.0.0.1",
                    "device": [
                        {
                            "device_id": "0",
                            "device_ip": "29.1.0.0",
                            "rank_id": "0"
                        },
                        {
                            "device_id": "1",
                            "device_ip": "29.1.0.1",
                            "rank_id": "1"
                        }
                    ]
                }
            ]
        }
        """)
        #expect(files[2].json == """
        {
            "version": "1.0",
            "status": "completed",
            "group_id": "0",
            "server_count": "1",
            "server_list": [
                {
                    "server_id": "10.0.0.1",
                    "server_ip": "10.0.0.1"
                }
            ]
        }
        """)
    }

    @Test func perHostGlobalFileGroups() throws {
        let prefill = try Ranktable.gen(serverIP: "10.0.0.1", prefillLists: [["0"]], decodeLists: [], apiServer: true, deviceIP: deviceIP)
        let groups = try JSONValue.parse(prefill[0].json)["server_group_list"]
        guard case .array(let list)? = groups else { Issue.record("no groups"); return }
        #expect(list.map { $0["group_id"] } == [.string("0"), .string("1")])
        #expect(list[1]["server_count"] == .string("1"))
        let decode = try Ranktable.gen(serverIP: "10.0.0.3", prefillLists: [], decodeLists: [["0"]], apiServer: false, deviceIP: deviceIP)
        #expect(decode.map(\.fileName) == ["global_ranktable_10.0.0.3.json", "local_ranktable_10.0.0.3_0.json"])
        guard case .array(let d)? = try JSONValue.parse(decode[0].json)["server_group_list"] else { Issue.record("no groups"); return }
        #expect(d.map { $0["group_id"] } == [.string("2")])
    }

    @Test func genRefusesRepeatedAndMissingDevices() {
        #expect(throws: Ranktable.ToolError.self) {
            try Ranktable.gen(serverIP: "1.1.1.1", prefillLists: [["0", "0"]], decodeLists: [], apiServer: false, deviceIP: deviceIP)
        }
        #expect(throws: Ranktable.ToolError.self) {
            try Ranktable.gen(serverIP: "1.1.1.1", prefillLists: [["0", ""]], decodeLists: [], apiServer: false, deviceIP: deviceIP)
        }
    }

    func local(_ ip: String) throws -> String {
        try Ranktable.gen(serverIP: ip, prefillLists: [], decodeLists: [sixteen], apiServer: false, deviceIP: deviceIP)[1].json
    }

    @Test func mergeLocalRenumbersRanks() throws {
        let merged = try JSONValue.parse(try Ranktable.mergeLocal([try local("127.0.0.3"), try local("127.0.0.4")]))
        #expect(merged["server_count"] == .int(2))
        #expect(merged["group_id"] == .string("0"))
        guard case .array(let servers)? = merged["server_list"] else { Issue.record("no servers"); return }
        #expect(servers.map { $0["server_ip"] } == [.string("127.0.0.3"), .string("127.0.0.4")])
        guard case .array(let second)? = servers[1]["device"] else { Issue.record("no devices"); return }
        #expect(second.first?["rank_id"] == .string("16"))
        #expect(second.last?["rank_id"] == .string("31"))
        #expect(second.first?["device_id"] == .string("0"))
        #expect(throws: Ranktable.ToolError.self) { try Ranktable.mergeLocal([try local("127.0.0.3")]) }
    }

    @Test func mergeAllFor2P1DAnd4P1D() throws {
        for (prefillCount, decodeCount) in [(2, 2), (4, 4)] {
            let prefill = try (0..<prefillCount).map { try local("127.0.0.\($0 + 1)") }
            let decode = try Ranktable.mergeLocal((0..<decodeCount).map { try local("127.0.1.\($0)") })
            let all = try JSONValue.parse(try Ranktable.mergeAll(prefill: prefill, decode: [decode]))
            guard case .array(let groups)? = all["server_group_list"] else { Issue.record("no groups"); return }
            #expect(groups.map { $0["group_id"] } == (0...prefillCount).map { .string(String($0)) })
            #expect(groups.last?["server_count"] == .int(decodeCount))
            #expect(groups.first?["server_count"] == .int(1))
            guard case .array(let dServers)? = groups.last?["server_list"], case .array(let lastDevices)? = dServers.last?["device"] else {
                Issue.record("no decode servers"); return
            }
            #expect(lastDevices.last?["rank_id"] == .string(String(decodeCount * 16 - 1)))
        }
    }

    @Test func jsonPrinterMatchesPython() throws {
        let value = JSONValue.object([("a", .array([])), ("b", .object([])), ("c", .string("é\"\n"))])
        #expect(value.printed() == "{\n    \"a\": [],\n    \"b\": {},\n    \"c\": \"\\u00e9\\\"\\n\"\n}")
        #expect(try JSONValue.parse(value.printed()) == value)
    }

    @Test(arguments: ["", "{", "{\"a\" 1}", "[1,]", "{\"a\": 1.5}", "\"open", "[1] x", String(repeating: "[", count: 500)])
    func jsonParserRejects(_ text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }
}
