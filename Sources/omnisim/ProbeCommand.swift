import ArgumentParser
import Core
import Deployer
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the scenario's machines over SSH (changing nothing) and write a machines file to rehearse on.",
        discussion: "The file is in the scenario's `machines:` format: rehearse on it with `omnisim validate <scenario> --machines <file>`. Exit status: 0 when every machine was read, 2 when one could not be.")

    @Argument(help: "Scenario or inventory file.")
    var path: String

    @Option(name: [.customShort("o"), .long], help: "Where to write the machines file. Default: <report-dir>/<scenario>-machines.yml")
    var output: String?

    @Flag(help: "Also print what was read as JSON (every figure, for machines).")
    var json = false

    @OptionGroup var report: ReportOptions
    @OptionGroup var ssh: SSHOptions

    func run() throws {
        let scenario = try loadOrExit(path)
        var job = ProbeJob(scenario: scenario)
        job.settings = try ssh.settings()
        // With --json, stdout holds the JSON alone; progress goes to stderr.
        let toStandardError = json
        let say: @Sendable (String) -> Void = { line in
            if toStandardError { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { Swift.print(line) }
        }
        job.print = say
        let outcome = job.run()
        let file = output ?? "\(report.reportDirectory)/\(scenario.name)-machines.yml"
        try AtomicFile.write(outcome.machinesFile, to: file)
        if json { Swift.print(MachineSnapshot.json(outcome.snapshots, executorHasCode: outcome.executorHasCode), terminator: "") }
        say("probe: \(outcome.snapshots.count) machine(s) read; machines file \(file)")
        for (address, reason) in outcome.unreachable.sorted(by: { $0.key < $1.key }) { say("probe: not read: \(address): \(reason)") }
        if !outcome.unreachable.isEmpty { throw ExitCode(2) }
    }
}
