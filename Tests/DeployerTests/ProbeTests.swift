import Core
import Foundation
import Simulator
import Testing
import TestSupport
@testable import Deployer

/// `omnisim probe` on loopback sshd machines of the reference 2P1D inventory (at addresses of their own, so
/// nothing of the other suites' servers is seen): one foreign process listens on
/// d1's first API port and p1's machine has no model. The probe changes nothing (the shims' records and the
/// machines' files say so), and the rehearsal on what it read fails where the real run would.
@Suite(.serialized) struct ProbeTests {
    /// Every file and directory below a machine's root, with its size.
    static func listing(_ root: String) -> [String] {
        let fm = FileManager.default
        return (fm.subpaths(atPath: root) ?? []).sorted().map { path in
            let size = (try? fm.attributesOfItem(atPath: root + "/" + path)[.size] as? Int) ?? 0
            return "\(path) \(size ?? 0)"
        }
    }

    @Test func probeReadsTheMachinesAndTheRehearsalOnItFailsWhereTheRealRunWould() throws {
        let h = try SSHDHarness(hosts: ["p0", "p1", "d0", "d1"], isolateFileSystems: true, interface: RealLaunchReplayTests.interface)
        defer { h.stop() }
        let a = h.addresses
        var text = try RealLaunchReplayTests.inventoryText("2P1D")
        for (reference, host) in [("127.0.0.1", "p0"), ("127.0.0.2", "p1"), ("127.0.0.3", "d0"), ("127.0.0.4", "d1")] {
            text = text.replacingOccurrences(of: "\"\(reference)\"", with: "\"\(a[host]!)\"")
        }
        let d = RealLaunchReplayTests.Deployment(harness: h, scenario: try RealLaunchReplayTests.scenario(h, inventory: text, shape: "2P1D", settings: [], name: "probe"),
                                                 machineOf: ["p0": "p0", "c0": "p0", "p1": "p1", "d0": "d0", "d1": "d1"])
        let model = "/data/models/DeepSeek-R1-w8a8-fusion"
        for machine in ["p0", "d0", "d1"] {
            try FileManager.default.createDirectory(atPath: h.machineRoot(machine) + model, withIntermediateDirectories: true)
            try "{}".write(toFile: h.machineRoot(machine) + model + "/config.json", atomically: true, encoding: .utf8)
        }
        for machine in ["p0", "p1", "d0", "d1"] {
            try FileManager.default.createDirectory(atPath: h.statePath + "/" + machine, withIntermediateDirectories: true)
            try "omniinfer:v2\n".write(toFile: h.statePath + "/" + machine + "/images", atomically: true, encoding: .utf8)
        }
        // A process of d1's machine's own holds 9101, d1's first API port.
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        listener.arguments = [h.statePath + "/listen.py", a["d1"]!, "9101"]
        try listener.run()
        defer { listener.terminate() }
        #expect(waitUntil { TCPSocket.isOpen(host: a["d1"]!, port: 9101, timeout: 0.2) })

        let before = Dictionary(uniqueKeysWithValues: ["p0", "p1", "d0", "d1"].map { ($0, Self.listing(h.machineRoot($0))) })
        let callsBefore = h.calls().count
        var job = ProbeJob(scenario: d.scenario)
        let settings = RealLaunchReplayTests.sshSettings(h)
        job.settings = settings
        job.print = { _ in }
        let outcome = job.run()
        #expect(outcome.unreachable.isEmpty, "\(outcome.unreachable)")
        #expect(outcome.snapshots.map(\.address) == ["p0", "p1", "d0", "d1"].map { a[$0]! })

        // Read-only: the probe ran no docker command that changes anything, and no machine's files changed.
        let calls = h.calls().dropFirst(callsBefore)
        #expect(!calls.isEmpty)
        #expect(!calls.contains { $0.tool == "docker" && !["images", "ps"].contains($0.args.first ?? "") }, "\(calls.map { "\($0.tool) \($0.args)" })")
        for machine in ["p0", "p1", "d0", "d1"] {
            #expect(Self.listing(h.machineRoot(machine)) == before[machine], "\(machine)'s files changed")
        }

        let d1 = try #require(outcome.snapshots.first { $0.address == a["d1"] })
        #expect(d1.listening[9101]?.process.hasPrefix("python3 (pid ") == true)
        #expect(d1.listening[9101]?.container == nil)
        #expect(d1.deviceIPs.count == 16 && d1.deviceIPs[7] == "29.0.\(a["d1"]!.split(separator: ".").last!).7")
        #expect(d1.interface == RealLaunchReplayTests.interface)
        #expect(d1.images == ["omniinfer:v2"])
        #expect(outcome.snapshots.first { $0.address == a["p1"] }?.modelKilobytes == nil)
        #expect(outcome.snapshots.first { $0.address == a["d0"] }?.modelKilobytes != nil)

        // The machines file reads back, and the rehearsal on it fails at d1's server start for that port.
        let file = h.dir + "/machines.yml"
        try outcome.machinesFile.write(toFile: file, atomically: true, encoding: .utf8)
        var scenario = d.scenario
        scenario.machines = scenario.machines.overlaid(with: try ScenarioLoader.loadMachines(path: file))
        let rehearsal = Rehearsal.run(scenario)
        #expect(rehearsal.run.failure?.step.id == "start-decode")
        #expect(rehearsal.run.failure?.host == "d1")
        #expect(rehearsal.run.failure?.message.contains("API port 9101 on \(a["d1"]!) is already used by 'python3 (pid") == true,
                "\(rehearsal.run.failure?.message ?? "")")
        // Without the foreign process, p1's missing model is what stops it.
        scenario.machines.overrides[a["d1"]!]?.listening = [:]
        let second = Rehearsal.run(scenario)
        #expect(second.run.failure?.host == "p1")
        #expect(second.run.failure?.message.contains("MODEL_PATH") == true)
    }

    func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<50 { if condition() { return true }; usleep(100_000) }
        return false
    }
}
