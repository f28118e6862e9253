import Foundation
import Testing
@testable import Core

/// How a scenario picks its flavour: named with `flavour:`, or read from the upstream template given to
/// `settings_from:`. The fixtures are the upstream templates as shipped.
@Suite struct FlavourLoadingTests {
    static let upstream = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/upstream").path
    static let inventory = NestedGroupsTests.upstream + "/omni_infer_inventory_used_for_2P2D.yml"

    func load(_ text: String) throws -> Scenario { try ScenarioLoader.load(path: try LoaderTests().write(text)) }

    @Test func settingsFromTheElasticTemplateSelectsTheElasticFlavour() throws {
        let scenario = try load("inventory: \(Self.inventory)\nsettings_from: \(Self.upstream)/omni_infer_server_template_elastic.yml\n")
        #expect(scenario.settings.flavour == .elastic)
        #expect(scenario.flavourNote?.contains("omni_infer_server_template_elastic.yml") == true)
        // The template's environment: its defaults, with the connector the elastic README replaces.
        #expect(scenario.settings.kvConnector == "AscendHcclConnectorV1")
        #expect(scenario.settings.modelPath == "/data/models/DeepSeek-R1-w8a8-fusion")
        #expect(scenario.cluster.decodeInstances.count == 2)
    }

    @Test func defaultFlavourIsMain() throws {
        let scenario = try load("inventory: \(Self.inventory)\n")
        #expect(scenario.settings.flavour == .main)
        #expect(scenario.flavourNote == nil)
        #expect(scenario.cluster.decodeInstances.map(\.hosts.count) == [4])
    }

    /// The upstream A3 two-prefill template is not YAML: a column-0 comment ends a block scalar at line 85,
    /// and the parser stops at line 86.
    @Test func theUpstreamA3TemplateIsALocatedYAMLError() throws {
        let text = "inventory: \(Self.inventory)\nsettings_from: \(Self.upstream)/omni_infer_server_template_a3_1machine2p.yml\n"
        var thrown: InputError?
        do { _ = try load(text) } catch let e as InputError { thrown = e }
        let error = try #require(thrown?.diagnostics.first)
        #expect(error.code == "OMS001")
        #expect(error.location?.file.hasSuffix("omni_infer_server_template_a3_1machine2p.yml") == true)
        #expect(error.location?.line == 86)
        #expect(error.hint?.contains("line 85 is a comment in column 0") == true)
    }

    @Test func namedFlavourMustAgreeWithTheTemplate() throws {
        let conflict = try LoaderTests().error("""
            inventory: \(Self.inventory)
            settings_from: \(Self.upstream)/omni_infer_server_template_elastic.yml
            flavour: main
            """)
        #expect(conflict.code == "OMS016")
        #expect(conflict.location?.line == 3)
        let unknown = try LoaderTests().error("inventory: \(Self.inventory)\nflavour: elastik\n")
        #expect(unknown.code == "OMS003")
        #expect(unknown.hint == "did you mean 'elastic'?")
    }

    /// A tag the flavour's template lacks is a located error at the flavour's choice.
    @Test func unknownTagsAreLocatedAtTheFlavour() throws {
        let scenario = try load("inventory: \(Self.inventory)\nflavour: elastic\n")
        let error = try #require(scenario.tagError(RunOptions(tags: ["ranktable"])))
        #expect(error.code == "OMS021")
        #expect(error.location?.line == 2 && error.location?.column == 10)
        #expect(scenario.tagError(RunOptions(tags: ["run_server", "add_node"])) == nil)
        #expect(try load("inventory: \(Self.inventory)\n").tagError(RunOptions(tags: ["ranktable"])) == nil)
    }
}
