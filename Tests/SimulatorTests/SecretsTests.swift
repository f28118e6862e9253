import Foundation
import Testing
@testable import Simulator

/// Passwords from the inventory appear in no output: not the printed lines, the JUnit report, the
/// summary page, the state summary or the ranktables.
@Suite struct SecretsTests {
    @Test func inventoryPasswordsStayOutOfEveryOutput() throws {
        let secret = "pw-\(UUID().uuidString.prefix(12))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-secrets-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let inventory = try String(contentsOfFile: RehearsalTests.scenarios + "/inventories/2p1d.yml", encoding: .utf8)
            .replacingOccurrences(of: "    ansible_user: root\n", with: "    ansible_user: root\n    ansible_password: \"\(secret)\"\n")
            .replacingOccurrences(of: "proxy_port: 7000", with: "proxy_port: 80")
        try inventory.write(toFile: dir + "/inventory.yml", atomically: true, encoding: .utf8)
        try "inventory: inventory.yml\nfaults: [{kind: auth-failure, host: d1, step: ranktable}]\n"
            .write(toFile: dir + "/s.yml", atomically: true, encoding: .utf8)
        final class Lines: @unchecked Sendable { var text = "" }
        let lines = Lines()
        var job = ValidateJob(path: dir + "/s.yml")
        job.reportDirectory = dir + "/reports"
        job.print = { lines.text += $0 + "\n" }
        #expect(job.run() == .failed)
        #expect(lines.text.contains("authentication failed"))
        #expect(!lines.text.contains(secret))
        let files = FileManager.default.enumerator(atPath: dir + "/reports")?.compactMap { $0 as? String } ?? []
        #expect(Set(files).isSuperset(of: ["s.xml", "s.md", "s/state.json"]))
        for file in files {
            let path = dir + "/reports/" + file
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains(secret), "\(file) holds the password")
        }
    }
}
