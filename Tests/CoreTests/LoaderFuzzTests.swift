import Foundation
import Testing
import TestSupport
@testable import Core

/// A seeded mutation fuzzer over the sample inventories and scenarios: every mutant either loads or is
/// rejected with a located `InputError`; nothing crashes. It runs 4 s locally and 60 s in CI (`CI=true`);
/// `OMNISIM_FUZZ_SECONDS` and `OMNISIM_FUZZ_SEED` set the length and the seed.
@Suite struct LoaderFuzzTests {
    static let tokens = ["{{", "}}", "{{ x }}", ":", "- ", "\"", "'", "\n", "  ", "#", "&a", "*a", "!!int", "[", "]", "{", "}",
                         "//", "% 0", "| int", "| bogus", "999999999999999999999", "-1", "\u{0}", "\t", "P:", "D:", "C:", "hosts:"]

    static func mutate(_ text: String, _ rng: inout SeededGenerator) -> String {
        var chars = Array(text)
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !chars.isEmpty {
            let at = Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: chars.remove(at: at)
            case 1: chars.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 2:
                let end = min(chars.count, at + Int.random(in: 1...40, using: &rng))
                chars.removeSubrange(at..<end)
            case 3:
                let end = min(chars.count, at + Int.random(in: 1...60, using: &rng))
                chars.insert(contentsOf: chars[at..<end], at: min(chars.count, end))
            default: chars[at] = Character(UnicodeScalar(UInt8.random(in: 32...126, using: &rng)))
            }
        }
        return String(chars)
    }

    @Test func mutantsLoadOrFailWithALocation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let seeds = try ["scenarios/inventories/2p1d.yml", "scenarios/inventories/multinode-p.yml", "scenarios/fault-exit.yml",
                         "Tests/CoreTests/Fixtures/inventory_4P1D.yml"].map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try String(contentsOf: root.appendingPathComponent("scenarios/inventories/2p1d.yml"), encoding: .utf8)
            .write(to: dir.appendingPathComponent("inventories-2p1d.yml"), atomically: true, encoding: .utf8)
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["OMNISIM_FUZZ_SECONDS"] ?? "") ?? (environment["CI"] == "true" ? 60 : 4)
        var rng = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["OMNISIM_FUZZ_SEED"] ?? "") ?? 20261124)
        let deadline = Date().addingTimeInterval(seconds)
        var runs = 0, rejected = 0
        let path = dir.appendingPathComponent("mutant.yml").path
        while Date() < deadline {
            let text = Self.mutate(seeds[runs % seeds.count], &rng).replacingOccurrences(of: "inventories/2p1d.yml", with: "inventories-2p1d.yml")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                let scenario = try ScenarioLoader.load(path: path)
                _ = RuleSet.check(scenario.cluster)
            } catch let error as InputError {
                rejected += 1
                for d in error.diagnostics {
                    #expect(d.location != nil, "unlocated: \(d)")
                    #expect(d.code.hasPrefix("OMS"))
                }
            }
            runs += 1
        }
        print("fuzz: \(runs) mutants, \(rejected) rejected with located errors")
        #expect(runs > 50)
    }
}
