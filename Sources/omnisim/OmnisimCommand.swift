import ArgumentParser
import Core
import Foundation

@main
struct Omnisim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omnisim",
        abstract: "Rehearse and perform prefill/decode-disaggregated vLLM deployments.",
        version: "0.1.0",
        subcommands: [Validate.self, Plan.self, Deploy.self, AddNode.self, RemoveNode.self, Probe.self, Gate.self])

    static func main() {
        ProcessMemory.returnLargeBuffersPromptly()
        main(nil)
    }
}
