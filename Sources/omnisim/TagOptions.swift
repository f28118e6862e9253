import ArgumentParser
import Core

/// `--tags` and `--skip-tags`, checked against the tags of the playbook the command runs.
struct TagOptions: ParsableArguments {
    @Option(help: "Only steps with these tags (comma-separated or repeated).")
    var tags: [String] = []

    @Option(name: .customLong("skip-tags"), help: "Skip steps with these tags (comma-separated or repeated).")
    var skipTags: [String] = []

    /// Fails on a tag that no step of the playbook carries.
    func check(known: [String]) throws {
        for tag in splitList(tags).union(splitList(skipTags)).sorted() where !known.contains(tag) {
            throw ValidationError("unknown tag '\(tag)'; known tags: \(known.joined(separator: ", "))")
        }
    }

    func options(limit: Set<String>? = nil) -> RunOptions {
        RunOptions(tags: splitList(tags), skipTags: splitList(skipTags), limit: limit)
    }
}
