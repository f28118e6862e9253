import ArgumentParser
import Core

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the derived values, hosts and port plan of a scenario.")

    @Argument(help: "Scenario or inventory file.")
    var path: String

    @Flag(help: "Print JSON for machines.")
    var json = false

    func run() throws {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path)
        } catch let error as InputError {
            for d in error.diagnostics { print(d.description) }
            throw ExitCode(2)
        }
        let view = PlanView(cluster: scenario.cluster)
        if !json, let note = scenario.flavourNote { print("Flavour\n  \(note)\n") }
        print(json ? try view.json() : view.text(), terminator: "")
    }
}
