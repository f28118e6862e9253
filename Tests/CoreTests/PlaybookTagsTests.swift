import Testing
@testable import Core

/// `--tags`/`--skip-tags` are checked against each playbook's list of known tags: the list must hold
/// exactly the tags its steps carry (plus `all`), or a valid selection would be refused or a wrong one
/// accepted.
@Suite struct PlaybookTagsTests {
    static let cluster = Cluster(hosts: TestHosts.twoPOneD)

    @Test func mainPlaybookTagsAreKnown() {
        let carried = Set(MainPlaybook.steps(for: Self.cluster).flatMap(\.tags))
        #expect(carried.union(["all"]) == Set(MainPlaybook.knownTags))
    }

    @Test func addNodeTagsAreKnown() {
        let carried = Set(AddNodePlaybook.steps(for: Self.cluster).flatMap(\.tags))
        #expect(carried.union(["all"]) == Set(AddNodePlaybook.knownTags))
    }
}
