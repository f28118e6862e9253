import Core
import Foundation
import Testing
import TestSupport
@testable import Simulator

/// A machines file describes the machines as they are (busy ports, held NPUs, existing containers, real
/// device IPs, full disks); the rehearsal starts from that state and fails where the real run would.
@Suite struct MachineSnapshotTests {
    static let scenarios = ElasticFlavourTests.scenarios

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-machines-\(UUID().uuidString).yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The 2P1D sample rehearsed on the machines a file describes.
    static func rehearse(_ machines: String) throws -> Rehearsal {
        var scenario = try ScenarioLoader.load(path: scenarios + "/2p1d.yml")
        scenario.machines = scenario.machines.overlaid(with: try ScenarioLoader.loadMachines(path: try write(machines)))
        return Rehearsal.run(scenario)
    }

    @Test func aForeignListenerFailsTheServerThatNeedsItsPort() throws {
        let r = try Self.rehearse("machines:\n  127.0.0.4:\n    listening: {9101: \"python3 -m http.server (pid 4242)\"}\n")
        #expect(r.run.failure?.step.id == "start-decode")
        #expect(r.run.failure?.host == "d1")
        #expect(r.run.failure?.message.contains("API port 9101 on 127.0.0.4 is already used by 'python3 -m http.server (pid 4242)'") == true)
    }

    @Test func aHeldNPUFailsTheServerThatClaimsIt() throws {
        let r = try Self.rehearse("machines:\n  127.0.0.1:\n    busy_npus: [3]\n")
        #expect(r.run.failure?.host == "p0")
        #expect(r.run.failure?.message.contains("NPU 3 on 127.0.0.1 is in use") == true)
    }

    /// The device IPs read from a machine are the ones its ranktable carries.
    @Test func realDeviceIPsReachTheRanktables() throws {
        let ips = (0..<16).map { "\($0): 10.9.0.\($0 + 1)" }.joined(separator: ", ")
        let r = try Self.rehearse("machines:\n  127.0.0.3:\n    device_ips: {\(ips)}\n")
        #expect(r.run.succeeded)
        let d0 = try #require(r.cluster.host(named: "d0"))
        let machine = r.world.machine(for: d0)
        let local = try #require(machine.files.paths(under: Paths(r.cluster.settings).decodeConfig).first)
        let text = try #require(machine.files[local]).content
        #expect((1...16).allSatisfy { text.contains("\"10.9.0.\($0)\"") })
        #expect(!text.contains("\"29.3.0."))
    }

    /// Fewer NPUs than the inventory uses, an existing container, a full disk.
    @Test func otherStateReachesTheWorld() throws {
        // p1's machine has one NPU: the ranktable tool fails on the first device that is not there.
        let missing = try Self.rehearse("machines:\n  127.0.0.2:\n    device_ips: {0: 10.1.0.1}\n")
        #expect(missing.run.failure?.step.id == "gen-ranktable-prefill")
        #expect(missing.run.failure?.host == "p1")
        // Yesterday's container is removed and a new one started from the scenario's image.
        let oldMachines = "machines:\n  127.0.0.3:\n    containers: {you_name_omni_infer_decode_d0: \"omniinfer:old\"}\n"
        var scenario = try ScenarioLoader.load(path: Self.scenarios + "/2p1d.yml")
        scenario.machines = scenario.machines.overlaid(with: try ScenarioLoader.loadMachines(path: try Self.write(oldMachines)))
        let before = World(cluster: scenario.cluster, plan: scenario.machines, faults: [])
        #expect(before.machines["127.0.0.3"]?.containers["you_name_omni_infer_decode_d0"]?.image == "omniinfer:old")
        let old = try Self.rehearse(oldMachines)
        #expect(old.run.succeeded)
        let d0 = try #require(old.cluster.host(named: "d0"))
        #expect(old.world.machine(for: d0).containers["you_name_omni_infer_decode_d0"]?.image == old.cluster.settings.dockerImageID)
        let listed = try #require(old.run.steps.first { $0.step.id == "remove-containers-pd" }?.results.first { $0.host == "d0" })
        #expect(listed.status == .ok)
        // A full file system under SCRIPTS_PATH: docker cannot create the bind-mounted directory.
        let full = try Self.rehearse("machines:\n  127.0.0.1:\n    full_paths: [/tmp/scripts_path]\n")
        #expect(full.run.failure?.step.id == "run-container-prefill")
        #expect(full.run.failure?.message.contains("no space left on device") == true)
    }

    @Test func badMachinesFilesAreLocatedErrors() throws {
        func error(_ text: String) throws -> Diagnostic? {
            let path = try Self.write(text)
            do { _ = try ScenarioLoader.loadMachines(path: path); return nil } catch let e as InputError {
                #expect(e.diagnostics[0].location?.file == path)
                return e.diagnostics[0]
            }
        }
        #expect(try error("machines:\n  10.0.0.1:\n    device_ips: {0: 10.0.0.300}\n")?.code == "OMS015")
        #expect(try error("machines:\n  10.0.0.1:\n    listening: {70000: x}\n")?.code == "OMS006")
        #expect(try error("machines:\n  10.0.0.1:\n    busy_npu: [1]\n")?.hint == "did you mean 'busy_npus'?")
        #expect(try error("hosts: {}\n")?.code == "OMS003")
        #expect(try error("machines:\n  10.0.0.1:\n    device_ips: {x: 10.0.0.1}\n")?.location?.line == 3)
    }
}
