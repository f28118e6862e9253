import Foundation
import Testing
@testable import Simulator
import TestSupport

extension Golden {
    /// A scenario file over one of the golden inventories, with the reference run's machine facts: device d
    /// of a machine whose address ends in o answers `29.o.d.1`. `extra` is appended to the scenario's text.
    static func writeScenario(_ shape: String, extra: String = "", in directory: URL) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("golden-\(shape).yml")
        try """
        name: golden-\(shape)
        inventory: \(url("inventory_\(shape).yml").path)
        machines:
          default: { device_ip: "29.{octet}.{device}.1" }
        \(extra)
        """.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A fresh scratch directory, removed by the caller.
    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-golden-\(getpid())-\(UUID().uuidString)")
    }

    /// The golden scenario, loaded through the scenario loader.
    static func scenario(_ shape: String, extra: String = "") throws -> Scenario {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        return try ScenarioLoader.load(path: try writeScenario(shape, extra: extra, in: dir))
    }
}

/// Every ranktable file the reference run wrote, demanded byte for byte from the rehearsal of the same
/// inventory: each host's save directory after `gen`, the executor's staging directories, and the merged
/// `global/` tree on the first P host, on every other host and on the executor.
@Suite struct GoldenRanktableTests {
    static let shapes = ["1P1D", "2P1D", "4P1D"]

    /// The rehearsed machine's files under `directory`, by path relative to it.
    func simulated(_ machine: Machine, _ directory: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for path in machine.files(under: directory) {
            files[String(path.dropFirst(directory.count + 1))] = Array(machine.files[path]!.content.utf8)
        }
        return files
    }

    /// Demands exactly the golden files: the same names, and each with the same bytes.
    func expectSame(_ actual: [String: [UInt8]], _ golden: [String: [UInt8]], _ what: String) {
        #expect(!golden.isEmpty, "no golden files for \(what)")
        for problem in Golden.treeDifferences(actual, golden) { Issue.record("\(what): \(problem)") }
    }

    @Test(arguments: shapes)
    func ranktablesMatchTheReference(_ shape: String) throws {
        let r = Rehearsal.run(try Golden.scenario(shape))
        #expect(r.run.succeeded, "\(r.run.failure.map { "\($0.step.id) on \($0.host): \($0.message)" } ?? "")")
        let golden = "ranktables/\(shape)"
        let paths = Paths(r.cluster.settings)

        // gen/<host>/: the save directory of each host right after its gen run; nothing later changes it.
        let genHosts = try FileManager.default.contentsOfDirectory(atPath: Golden.url("\(golden)/gen").path).sorted()
        let serverHosts = r.cluster.hosts.filter { $0.role != .proxy }.map(\.name).sorted()
        #expect(genHosts == serverHosts, "the reference has a gen directory for every P and D host")
        for name in genHosts {
            let host = try #require(r.cluster.host(named: name))
            let dir = paths.localRanktableDirectory(host.role)
            expectSame(simulated(r.world.machine(for: host), dir),
                       try Golden.tree("\(golden)/gen/\(name)"), "\(shape) \(name):\(dir)")
        }

        // executor-staging/: what the fetch tasks collected on the executor.
        for staging in ["collect_files_p", "collect_files_d"] {
            expectSame(simulated(r.world.executor, paths.ranktable + "/" + staging),
                       try Golden.tree("\(golden)/executor-staging/\(staging)"),
                       "\(shape) executor:\(paths.ranktable)/\(staging)")
        }

        // global/: merged on the first P host, pulled to the executor, pushed to every other machine.
        let global = try Golden.tree("\(golden)/global")
        let first = try #require(r.cluster.firstPrefill)
        expectSame(simulated(r.world.machine(for: first), paths.global), global, "\(shape) \(first.name):\(paths.global)")
        expectSame(simulated(r.world.executor, paths.global), global, "\(shape) executor:\(paths.global)")
        for host in r.cluster.hosts where host.address != first.address {
            expectSame(simulated(r.world.machine(for: host), paths.global), global, "\(shape) \(host.name):\(paths.global)")
        }
    }
}
