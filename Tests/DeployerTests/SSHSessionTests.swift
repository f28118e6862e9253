import Core
import Foundation
import Testing
@testable import Deployer

/// The libssh2 layer against real sshd processes on loopback addresses.
@Suite(.serialized) struct SSHSessionTests {
    func session(_ harness: SSHDHarness, _ host: String, key: String? = nil, policy: HostKeyPolicy? = nil) throws -> SSHSession {
        try SSHSession(target: SSHTarget(host: harness.addresses[host]!, port: harness.port, privateKeyFile: key ?? harness.clientKey),
                       policy: policy ?? HostKeyPolicy(knownHostsPath: harness.knownHosts), connectTimeout: 5)
    }

    @Test func execReturnsOutputAndStatus() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let s = try session(harness, "h1")
        let r = try s.exec("echo out; echo err >&2; exit 7", timeout: 10)
        #expect(r.exitStatus == 7)
        #expect(r.stdout == "out\n")
        #expect(r.stderr == "err\n")
        #expect(try s.exec("echo $OMNISIM_FAKE_HOST; command -v docker", timeout: 10).stdout.hasPrefix("h1\n\(harness.dir)/shims/docker"))
    }

    @Test func quotedValuesSurviveTheRemoteShell() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let s = try session(harness, "h1")
        for value in ["$(touch /tmp/omnisim-pwned)", "a;b", "`id`", "it's \"x\"", "new\nline", "*"] {
            #expect(try s.exec("printf '%s' \(Shell.quote(value))", timeout: 10).stdout == value)
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/omnisim-pwned"))
    }

    @Test func largeOutputOnBothStreamsDoesNotStall() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let r = try session(harness, "h1").exec("head -c 3000000 /dev/zero | tr '\\\\0' e >&2; head -c 3000000 /dev/zero | tr '\\\\0' o", timeout: 30,
                                                outputLimit: 4 << 20)
        #expect(r.exitStatus == 0)
        #expect(r.stdout.utf8.count == 3_000_000)
        #expect(r.stderr.utf8.count == 3_000_000)
    }

    @Test func timeoutEndsAHangingCommand() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let start = Date()
        do {
            let s = try session(harness, "h1")
            _ = try s.exec("sleep 30", timeout: 1)
            Issue.record("the command did not time out")
        } catch let error as SSHError {
            guard case .timedOut = error else { Issue.record("wrong error: \(error)"); return }
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func unknownAndChangedHostKeys() throws {
        let harness = try SSHDHarness(hosts: ["h1", "h2"])
        defer { harness.stop() }
        let empty = harness.dir + "/empty_known_hosts"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        do {
            _ = try session(harness, "h1", policy: HostKeyPolicy(knownHostsPath: empty))
            Issue.record("an unknown host key was accepted")
        } catch let error as SSHError {
            #expect(error.description.contains("not in"))
            #expect(error.description.contains("--accept-new-host-keys"))
        }
        _ = try session(harness, "h1", policy: HostKeyPolicy(knownHostsPath: empty, acceptNew: true))
        #expect(try String(contentsOfFile: empty, encoding: .utf8).contains("[\(harness.addresses["h1"]!)]:\(harness.port)"))
        _ = try session(harness, "h1", policy: HostKeyPolicy(knownHostsPath: empty))
        // h2's key filed under h1's address: a changed key, refused even with accept-new.
        let known = try String(contentsOfFile: harness.knownHosts, encoding: .utf8)
        let h2Key = known.split(separator: "\n").first { $0.contains(harness.addresses["h2"]!) }!.split(separator: " ").dropFirst().joined(separator: " ")
        let forged = harness.dir + "/forged_known_hosts"
        try "[\(harness.addresses["h1"]!)]:\(harness.port) \(h2Key)\n".write(toFile: forged, atomically: true, encoding: .utf8)
        do {
            _ = try session(harness, "h1", policy: HostKeyPolicy(knownHostsPath: forged, acceptNew: true))
            Issue.record("a changed host key was accepted")
        } catch let error as SSHError {
            #expect(error.description.contains("does not match"))
        }
    }

    @Test func authenticationFailures() throws {
        let harness = try SSHDHarness(hosts: ["h1"], passwordAuthentication: true)
        defer { harness.stop() }
        let stranger = harness.dir + "/stranger"
        try SSHDHarness.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        #expect(throws: SSHError.self) { try session(harness, "h1", key: stranger) }
        #expect(throws: SSHError.self) { try session(harness, "h1", key: harness.dir + "/missing") }
        let secret = "s3cr3t-Pa55-\(UUID().uuidString.prefix(6))"
        do {
            _ = try SSHSession(target: SSHTarget(host: harness.addresses["h1"]!, port: harness.port, password: Secret(secret)),
                               policy: HostKeyPolicy(knownHostsPath: harness.knownHosts), connectTimeout: 5)
            Issue.record("a wrong password was accepted")
        } catch let error as SSHError {
            #expect(error.description.contains("authentication failed"))
            #expect(!error.description.contains(secret))
        }
    }

    @Test func passphraseProtectedKey() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let key = harness.dir + "/locked"
        let passphrase = "open sesame \(UUID().uuidString.prefix(4))"
        try SSHDHarness.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-f", key])
        let authorized = try String(contentsOfFile: harness.dir + "/authorized_keys", encoding: .utf8)
            + (try String(contentsOfFile: key + ".pub", encoding: .utf8))
        try authorized.write(toFile: harness.dir + "/authorized_keys", atomically: true, encoding: .utf8)
        let target = SSHTarget(host: harness.addresses["h1"]!, port: harness.port, privateKeyFile: key)
        let policy = HostKeyPolicy(knownHostsPath: harness.knownHosts)
        do {
            _ = try SSHSession(target: target, policy: policy, connectTimeout: 5)
            Issue.record("an encrypted key worked without its passphrase")
        } catch let error as SSHError {
            #expect(error.description.contains("authentication failed"))
        }
        var unlocked = target
        unlocked.passphrase = Secret(passphrase)
        let s = try SSHSession(target: unlocked, policy: policy, connectTimeout: 5)
        #expect(try s.exec("echo ok", timeout: 10).stdout == "ok\n")
    }

    @Test func unreachableAddressFailsFast() throws {
        let start = Date()
        #expect(throws: SSHError.self) {
            try SSHSession(target: SSHTarget(host: "127.0.0.1", port: 1), policy: HostKeyPolicy(knownHostsPath: "/dev/null"), connectTimeout: 3)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func filesRoundTrip() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let s = try session(harness, "h1")
        let remote = harness.dir + "/remote/a/b/script.sh"
        try s.upload(Array("#!/bin/bash\necho hi\n".utf8), to: remote, mode: 0o750)
        #expect(try String(contentsOfFile: remote, encoding: .utf8) == "#!/bin/bash\necho hi\n")
        #expect((try FileManager.default.attributesOfItem(atPath: remote)[.posixPermissions] as? NSNumber)?.intValue == 0o750)
        #expect(try s.download(remote) == Array("#!/bin/bash\necho hi\n".utf8))
        #expect(try s.stat(harness.dir + "/nothing-here") == nil)
    }

    @Test func treePushSendsOnlyChangedFiles() throws {
        let harness = try SSHDHarness(hosts: ["h1"])
        defer { harness.stop() }
        let s = try session(harness, "h1")
        let local = harness.dir + "/tree"
        try FileManager.default.createDirectory(atPath: local + "/sub", withIntermediateDirectories: true)
        try "one".write(toFile: local + "/one.txt", atomically: true, encoding: .utf8)
        try "two".write(toFile: local + "/sub/two.sh", atomically: true, encoding: .utf8)
        chmod(local + "/sub/two.sh", 0o755)
        let remote = harness.dir + "/pushed"
        #expect(try TreeSync.push(local: local, remote: remote, session: s) == 2)
        #expect(try TreeSync.push(local: local, remote: remote, session: s) == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: remote + "/sub/two.sh")[.posixPermissions] as? NSNumber)?.intValue == 0o755)
        try "one, changed".write(toFile: local + "/one.txt", atomically: true, encoding: .utf8)
        #expect(try TreeSync.push(local: local, remote: remote, session: s) == 1)
        let back = harness.dir + "/pulled"
        #expect(try TreeSync.pull(remote: remote, local: back, session: s, timeout: 10) == 2)
        #expect(try String(contentsOfFile: back + "/one.txt", encoding: .utf8) == "one, changed")
    }
}
