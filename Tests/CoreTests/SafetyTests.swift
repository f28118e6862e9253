import Foundation
import Testing
@testable import Core

@Suite struct SafetyTests {
    static let nasty = ["plain", "with space", "semi;colon", "$(touch /tmp/x)", "`id`", "it's", "quote\"d", "back\\slash",
                        "new\nline", "tab\there", "*glob?", "", "-dash", "a'b'\"c\"$d", "ünïcödé", "!bang", "{brace,expansion}"]

    /// Runs bash with `script` and returns what it printed.
    func bash(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: nasty)
    func quotedValuesReachTheCommandUnchanged(_ value: String) throws {
        #expect(try bash("printf '%s' \(Shell.quote(value))") == value)
        #expect(try bash("printf '%s' \(Shell.env("K", value).dropFirst(3))") == "K=" + value)
    }

    @Test func exactlyTheListedBytesStayUnquoted() {
        let safe = Set(Shell.safeCharacters.utf8)
        for byte in UInt8.min...UInt8.max { #expect(Shell.isSafe(byte) == safe.contains(byte), "byte \(byte)") }
    }

    @Test func unsafeInventoryValuesAreRejectedWithLocations() {
        var hosts = TestHosts.twoPOneD
        hosts[0].address = "127.0.0.1;reboot"
        hosts[0].fieldLocations["ansible_host"] = SourceLocation(file: "inv.yml", line: 5, column: 24)
        hosts[2].name = "d0$(id)"
        var settings = DeploymentSettings()
        settings.logPath = "/data/log path"
        settings.dockerImageID = "img:1 && curl evil"
        var cluster = Cluster(hosts: hosts, settings: settings)
        cluster.settingLocations["LOG_PATH"] = SourceLocation(file: "s.yml", line: 3, column: 13)
        let found = SafeValuesRule().check(cluster)
        #expect(found.count == 4)
        #expect(found.contains { $0.subject == "p0" && $0.location?.line == 5 })
        #expect(found.contains { $0.message.contains("LOG_PATH") && $0.location?.line == 3 })
        #expect(found.contains { $0.message.contains("DOCKER_IMAGE_ID") })
        #expect(found.contains { $0.message.contains("d0$(id)") })
        #expect(SafeValuesRule().check(Cluster(hosts: TestHosts.fourPOneD)).isEmpty)
    }

    @Test func renderedCommandsQuoteEveryValue() {
        var settings = DeploymentSettings()
        settings.dockerImageID = "repo/img:tag with'quote"
        let renderer = StepRenderer(cluster: Cluster(hosts: TestHosts.twoPOneD, settings: settings))
        let command = renderer.containerRun(TestHosts.twoPOneD[0]).command
        #expect(command.hasSuffix("'repo/img:tag with'\\''quote'"))
    }

    @Test func passwordsNeverReachReports() throws {
        let secret = "hunter2-\(UUID().uuidString.prefix(8))"
        var hosts = TestHosts.twoPOneD
        hosts[0].ssh.password = Secret(secret)
        let cluster = Cluster(hosts: hosts)
        #expect(!"\(hosts[0])".contains(secret))
        #expect(!"\(hosts[0].ssh)".contains(secret))
        let plan = try PlanView(cluster: cluster).json() + PlanView(cluster: cluster).text()
        #expect(!plan.contains(secret))
    }
}
