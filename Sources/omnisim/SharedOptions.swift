import ArgumentParser
import Core
import Deployer
import Foundation

/// Where reports go and how they are stamped.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("report-dir"), help: "Directory for reports.")
    var reportDirectory = "reports"

    @Option(help: "Fixed report timestamp (UTC, e.g. 2025-01-31T12:00:00) for byte-identical reports.")
    var timestamp: String?

    func date() throws -> Date { try parseTimestamp(timestamp) }
}

/// How to reach real hosts.
struct SSHOptions: ParsableArguments {
    @Option(name: .customLong("known-hosts"), help: "known_hosts file for host-key checks (default ~/.ssh/known_hosts).")
    var knownHosts: String?

    @Flag(name: .customLong("accept-new-host-keys"), help: "Add unknown host keys to known_hosts; a changed key is always refused.")
    var acceptNewHostKeys = false

    @Option(help: "Hosts worked on at once.")
    var forks = 8

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for a host to answer.")
    var connectTimeout = 10.0

    @Option(name: .customLong("remote-path"), help: "Directories put first on PATH for remote commands.")
    var remotePath: String?

    @Flag(name: .customLong("ask-passphrase"), help: "Prompt for the private keys' passphrase (else OMNISIM_KEY_PASSPHRASE).")
    var askPassphrase = false

    func validate() throws {
        guard forks >= 1 && forks <= 256 else { throw ValidationError("--forks must be between 1 and 256") }
    }

    /// The passphrase: prompted for without echo with --ask-passphrase, else from the environment.
    func passphrase() throws -> Secret? {
        if askPassphrase {
            guard isatty(STDIN_FILENO) != 0, let typed = getpass("Key passphrase: ") else {
                throw ValidationError("--ask-passphrase needs a terminal; set OMNISIM_KEY_PASSPHRASE instead")
            }
            return Secret(String(cString: typed))
        }
        return ProcessInfo.processInfo.environment["OMNISIM_KEY_PASSPHRASE"].map(Secret.init)
    }

    func settings() throws -> SSHBackend.Settings {
        var settings = SSHBackend.Settings()
        settings.hostKeys = HostKeyPolicy(knownHostsPath: knownHosts, acceptNew: acceptNewHostKeys)
        settings.forks = forks
        settings.connectTimeout = connectTimeout
        settings.commandPATH = remotePath
        settings.passphrase = try passphrase()
        return settings
    }
}
