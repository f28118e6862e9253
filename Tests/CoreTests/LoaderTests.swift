import Foundation
import Testing
@testable import Core

/// Loading the sample inventories, and every kind of bad input giving a located error.
@Suite struct LoaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// One scratch directory for the whole suite run, removed when the process exits.
    static let scratch: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-loader-\(getpid())")
        atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-loader-\(getpid())")) }
        return dir
    }()

    func write(_ text: String, name: String = "inv.yml") throws -> String {
        let dir = Self.scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The first diagnostic of loading `text` as a scenario or inventory.
    func error(_ text: String) throws -> Diagnostic {
        let path = try write(text)
        do {
            _ = try ScenarioLoader.load(path: path)
        } catch let e as InputError {
            #expect(e.diagnostics[0].location?.file == path)
            return e.diagnostics[0]
        }
        Issue.record("no error for:\n\(text)")
        return Diagnostic(code: "none", message: "")
    }

    @Test func referenceInventoriesLoadUnchanged() throws {
        let two = try InventoryLoader.load(path: "\(Self.fixtures)/inventory_2P1D.yml")
        #expect(two.hosts.map(\.name) == ["p0", "p1", "d0", "d1", "c0"])
        #expect(two.hosts.map(\.nodePort) == [8000, 8001, 8100, 8100, 7000])
        #expect(two.hosts.compactMap(\.apiPort) == [9000, 9001, 9100, 9101])
        #expect(two.globals.lmcachePorts?.etcd == 6000)
        let four = try InventoryLoader.load(path: "\(Self.fixtures)/inventory_4P1D.yml")
        #expect(four.hosts.count == 9)
        #expect(four.globals.lmcachePorts == nil)
        #expect(Cluster(inventory: four, settings: DeploymentSettings()).decodeInstance.offsetLiteral == "{'d0': 0, 'd1': 16, 'd2': 32, 'd3': 48}")
        let one = try InventoryLoader.load(path: "\(Self.fixtures)/inventory_1P1D.yml")
        #expect(Cluster(inventory: one, settings: DeploymentSettings()).derived.kvParallelSize == 2)
    }

    static let good = """
    all:
      vars:
        global_port_base: 8000
        base_api_port: 9000
        port_offset: {P: 0, D: 100}
      children:
        P:
          hosts:
            p0: {ansible_host: "10.0.0.1", node_rank: 0, kv_rank: 0, host_ip: "10.0.0.1", ascend_rt_visible_devices: "0,1", node_port: "{{ global_port_base + port_offset.P + kv_rank }}", api_port: 9000}
        D:
          hosts:
            d0: {ansible_host: "10.0.0.2", node_rank: 0, host_ip: "10.0.0.2", ascend_rt_visible_devices: "0,1", node_port: 8100, api_port: 9100}
    """

    @Test func goodInventoryLoads() throws {
        let scenario = try ScenarioLoader.load(path: try write(Self.good))
        #expect(scenario.inventory.hosts.first?.nodePort == 8000)
        #expect(scenario.settings == DeploymentSettings())
    }

    @Test func malformedYAML() throws {
        let d = try error("all:\n  vars: [1, 2\n")
        #expect(d.code == "OMS001")
        #expect(d.location!.line >= 2)
    }

    @Test func unquotedTemplate() throws {
        let d = try error(Self.good.replacingOccurrences(of: "api_port: 9000}", with: "api_port: 9000, x: 1}")
            .replacingOccurrences(of: "global_port_base: 8000", with: "global_port_base: {{ 8000 }}"))
        #expect(d.code == "OMS008")
        #expect(d.location?.line == 3)
    }

    @Test func unknownKeySuggestsTheClosest() throws {
        let d = try error(Self.good.replacingOccurrences(of: "ascend_rt_visible_devices: \"0,1\", node_port: \"{{", with: "ascend_rt_visble_devices: \"0,1\", node_port: \"{{"))
        #expect(d.code == "OMS003")
        #expect(d.hint == "did you mean 'ascend_rt_visible_devices'?")
        #expect(d.location?.line == 9)
    }

    @Test func unknownGroup() throws {
        let d = try error(Self.good.replacingOccurrences(of: "    D:\n", with: "    d:\n"))
        #expect(d.code == "OMS003")
        #expect(d.hint == "did you mean 'D'?")
    }

    @Test func missingGroup() throws {
        let text = Self.good.components(separatedBy: "    D:\n")[0]
        #expect(try error(text).code == "OMS009")
    }

    @Test func wrongType() throws {
        let d = try error(Self.good.replacingOccurrences(of: "node_rank: 0, kv_rank", with: "node_rank: zero, kv_rank"))
        #expect(d.code == "OMS002")
        #expect(d.message.contains("node_rank"))
        // A wrong type inside an expression is reported where the expression uses it.
        #expect(try error(Self.good.replacingOccurrences(of: "kv_rank: 0,", with: "kv_rank: zero,")).code == "OMS013")
    }

    @Test func duplicateHost() throws {
        let d = try error(Self.good.replacingOccurrences(of: "d0: {", with: "p0: {"))
        #expect(d.code == "OMS005")
        #expect(d.location?.line == 12)
    }

    @Test func undefinedVariable() throws {
        let d = try error(Self.good.replacingOccurrences(of: "port_offset.P + kv_rank", with: "port_offset.P + kvrank"))
        #expect(d.code == "OMS011")
        #expect(d.location?.line == 9)
        #expect(d.message.contains("kvrank"))
    }

    @Test func divisionByZero() throws {
        #expect(try error(Self.good.replacingOccurrences(of: "+ kv_rank }}", with: "+ 1 // kv_rank }}")).code == "OMS012")
    }

    @Test func portsOutOfRange() throws {
        #expect(try error(Self.good.replacingOccurrences(of: "api_port: 9100", with: "api_port: 70000")).code == "OMS006")
        #expect(try error(Self.good.replacingOccurrences(of: "api_port: 9100", with: "api_port: -1")).code == "OMS006")
        #expect(try error(Self.good.replacingOccurrences(of: "global_port_base: 8000", with: "global_port_base: 65600")).code == "OMS006")
    }

    @Test func missingRequiredField() throws {
        let d = try error(Self.good.replacingOccurrences(of: "host_ip: \"10.0.0.2\", ", with: ""))
        #expect(d.code == "OMS004")
        #expect(d.message.contains("host_ip"))
    }

    @Test func scenarioErrors() throws {
        let inv = try write(Self.good, name: "inventory.yml")
        let dir = (inv as NSString).deletingLastPathComponent
        func scenario(_ text: String) throws -> Diagnostic {
            let path = "\(dir)/s-\(UUID().uuidString).yml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try ScenarioLoader.load(path: path) } catch let e as InputError { return e.diagnostics[0] }
            Issue.record("no error")
            return Diagnostic(code: "none", message: "")
        }
        #expect(try scenario("inventory: inventory.yml\nsetings: {}\n").hint == "did you mean 'settings'?")
        #expect(try scenario("inventory: missing.yml\n").code == "OMS007")
        #expect(try scenario("inventory: inventory.yml\nsettings: {MODEL_PAHT: /x}\n").hint == "did you mean 'MODEL_PATH'?")
        #expect(try scenario("inventory: inventory.yml\nfaults: [{kind: unreachabel, host: p0, step: x}]\n").code == "OMS003")
        #expect(try scenario("inventory: inventory.yml\nfaults: [{kind: port-busy, host: p0}]\n").code == "OMS004")
        #expect(try scenario("inventory: inventory.yml\nfaults: [{kind: exit, host: p9, step: x}]\n").code == "OMS003")
        #expect(try scenario("inventory: inventory.yml\nexpect: {result: maybe}\n").code == "OMS002")
        #expect(try scenario("name: x\n").code == "OMS004")
        let ok = "\(dir)/ok.yml"
        try "inventory: inventory.yml\nsettings: {KV_CONNECTOR: LMCacheConnectorV1}\n".write(toFile: ok, atomically: true, encoding: .utf8)
        #expect(try ScenarioLoader.load(path: ok).settings.kvConnector == "LMCacheConnectorV1")
    }

    /// `device_ip` under `default:` and per machine address, and where a bad one is reported.
    @Test func deviceIPTemplates() throws {
        let inv = try write(Self.good, name: "inventory.yml")
        let dir = (inv as NSString).deletingLastPathComponent
        func load(_ machines: String) throws -> (path: String, result: Result<Scenario, InputError>) {
            let path = "\(dir)/s-\(UUID().uuidString).yml"
            try "inventory: inventory.yml\nmachines:\n\(machines)".write(toFile: path, atomically: true, encoding: .utf8)
            do { return (path, .success(try ScenarioLoader.load(path: path))) } catch let e as InputError { return (path, .failure(e)) }
        }
        func error(_ machines: String) throws -> Diagnostic {
            let (path, result) = try load(machines)
            guard case .failure(let e) = result else { Issue.record("no error for \(machines)"); return Diagnostic(code: "none", message: "") }
            #expect(e.diagnostics[0].location?.file == path)
            return e.diagnostics[0]
        }

        let (_, loaded) = try load("  default: { device_ip: \"29.{octet}.{device}.1\" }\n  10.0.0.2:\n    device_ip: 192.168.{device}.{octet}\n")
        let plan = try loaded.get().machines
        #expect(plan.spec(for: "10.0.0.1").deviceIP.render(octet: 1, device: 7) == "29.1.7.1")
        #expect(plan.spec(for: "10.0.0.2").deviceIP.render(octet: 2, device: 7) == "192.168.7.2")
        #expect(MachinePlan().spec(for: "10.0.0.1").deviceIP == DeviceIPTemplate.builtIn)

        // Reported at the character that is wrong: line 3, column of the '{' that opens `{dev}`.
        let unknown = try error("  default: { device_ip: \"29.{octet}.{dev}.1\" }\n")
        #expect(unknown.code == "OMS015")
        #expect(unknown.location?.line == 3 && unknown.location?.column == 37, "at the '{' of {dev}: \(unknown)")
        #expect(unknown.message.contains("unknown placeholder '{dev}'"))
        let unclosed = try error("  10.0.0.1:\n    device_ip: 29.{octet.1\n")
        #expect(unclosed.code == "OMS015" && unclosed.location?.line == 4 && unclosed.location?.column == 19, "\(unclosed)")
        #expect(try error("  default: { device_ip: \"29.1.}.1\" }\n").message.contains("'}' without a matching '{'"))
        #expect(try error("  default: { device_ip: \"\" }\n").message.contains("empty"))
        // Templates that parse but give no IPv4 address on some machine of the inventory.
        let wide = try error("  default: { device_ip: \"29.{octet}.1{device}0.1\" }\n")
        #expect(wide.code == "OMS015" && wide.message.contains("gives '29.1.1100.1' for device 10 of 10.0.0.1"), "\(wide)")
        #expect(try error("  10.0.0.2: { npus: 8, device_ip: \"29.0.{device}\" }\n").message.contains("'29.0.0' for device 0 of 10.0.0.2"))
        #expect(try error("  default: { device_ip: 29.0.0.1 }\n  10.0.0.2: { device_ip: \"{octet}.0.0.300\" }\n").location?.line == 4)
        let mapping = try error("  default:\n    device_ip: {octet}\n")
        #expect(mapping.code == "OMS002" && mapping.hint?.contains("quote it") == true, "\(mapping)")
    }

    @Test func settingsFromTheOperatorsPlaybook() throws {
        let inv = try write(Self.good, name: "inventory.yml")
        let dir = (inv as NSString).deletingLastPathComponent
        try """
        - name: deploy
          hosts: all
          any_errors_fatal: true
          environment:
            LOG_PATH: /logs
            DOCKER_IMAGE_ID: "omni:1"
            SOMETHING_ELSE: ignored
          vars:
            ranktable_save_path: /rt
            docker_run_cmd: "docker run {{ x }}"
          tasks: []
        """.write(toFile: "\(dir)/server.yml", atomically: true, encoding: .utf8)
        try "inventory: inventory.yml\nsettings_from: server.yml\nsettings: {LOG_PATH: /override}\n".write(toFile: "\(dir)/s.yml", atomically: true, encoding: .utf8)
        let s = try ScenarioLoader.load(path: "\(dir)/s.yml").settings
        #expect(s.logPath == "/override")
        #expect(s.dockerImageID == "omni:1")
        #expect(s.ranktableSavePath == "/rt")
    }
}
