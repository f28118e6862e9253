import Testing
@testable import Core

/// Composing YAML text into located nodes, and the located errors of malformed text.
@Suite struct YAMLComposerTests {
    func compose(_ text: String) throws -> YAMLNode {
        try YAMLSource(path: "t.yml", text: text).compose()
    }

    func failure(_ text: String) -> Diagnostic? {
        do {
            _ = try compose(text)
        } catch let error as InputError {
            return error.diagnostics.first
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func mappingsKeepFileOrderStylesAndPositions() throws {
        let root = try compose("b: 1\na: 'x'\nc:\n  - \"y\"\n  - |\n    z\n")
        guard case .mapping(let top) = root else { Issue.record("not a mapping"); return }
        #expect(top.map { $0.key.string } == ["b", "a", "c"])
        #expect(top[0].value.string == "1")
        guard case .scalar(let quoted) = top[1].value else { Issue.record("not a scalar"); return }
        #expect(quoted.style == .singleQuoted && !quoted.isPlain && quoted.isQuoted)
        #expect(quoted.mark == YAMLNode.Mark(line: 2, column: 4))
        guard case .sequence(let items) = top[2].value else { Issue.record("not a list"); return }
        #expect(items.map(\.string) == ["y", "z\n"])
        #expect(items[0].mark == YAMLNode.Mark(line: 4, column: 5))
        // A quoted scalar's text starts one column right of its quote.
        let source = YAMLSource(path: "t.yml", text: "")
        #expect(source.contentLocation(top[1].value).column == 5)
        #expect(source.contentLocation(top[0].value).column == 4)
    }

    @Test func aliasesStandForTheirAnchoredNode() throws {
        let root = try compose("base: &ports {api: 9000}\ncopy: *ports\n")
        guard case .mapping(let top) = root, case .mapping(let copy) = top[1].value else {
            Issue.record("unexpected shape"); return
        }
        #expect(copy.map { $0.key.string } == ["api"])
        #expect(copy[0].value.string == "9000")
    }

    @Test func undefinedAliasIsLocated() {
        let d = failure("a: 1\nb: *nowhere\n")
        #expect(d?.code == "OMS001")
        #expect(d?.location?.line == 2)
        #expect(d?.message.contains("nowhere") == true)
    }

    @Test func duplicateKeysAreRejectedInSmallAndLargeMappings() {
        let small = failure("x: 1\ny: 2\nx: 3\n")
        #expect(small?.code == "OMS005")
        #expect(small?.location?.line == 3)
        #expect(small?.message == "duplicate key 'x' (first at line 1)")
        // A large mapping gives the same answer.
        let many = (0..<40).map { "k\($0): \($0)\n" }.joined() + "k7: again\n"
        let large = failure(many)
        #expect(large?.code == "OMS005")
        #expect(large?.location?.line == 41)
        #expect(large?.message == "duplicate key 'k7' (first at line 8)")
        // The same key in two different mappings is fine.
        #expect(failure("a: {x: 1}\nb: {x: 2}\n") == nil)
    }

    @Test func secondDocumentIsRejected() {
        let d = failure("a: 1\n---\nb: 2\n")
        #expect(d?.code == "OMS001")
        #expect(d?.location?.line == 2)
    }

    @Test func syntaxErrorsCarryTheParsersPosition() {
        let d = failure("a:\n  b: [1, 2\n")
        #expect(d?.code == "OMS001")
        #expect(d?.message.hasPrefix("invalid YAML: ") == true)
        #expect((d?.location?.line ?? 0) >= 2)
        // A control character is a reader error, located by its byte offset.
        let control = failure("a: 1\nb: x\u{07}y\n")
        #expect(control?.code == "OMS001")
        #expect(control?.location?.line == 2)
        #expect(control?.location?.column == 5)
    }

    @Test func emptyTextIsAnError() {
        #expect(failure("")?.code == "OMS001")
        #expect(failure("# only a comment\n")?.message.contains("is empty") == true)
    }

    @Test func nestingIsLimited() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        var node = try compose(nested(YAMLComposer.maxDepth)), levels = 1
        while case .sequence(let items) = node, let first = items.first {
            node = first
            levels += 1
        }
        #expect(levels == YAMLComposer.maxDepth)
        let d = failure("a:\n  b: " + nested(100_000))
        #expect(d?.code == "OMS001")
        // Two mappings hold the lists, so the list that opens level maxDepth + 1 is the (maxDepth - 1)th `[`.
        #expect(d?.location == SourceLocation(file: "t.yml", line: 2, column: 6 + YAMLComposer.maxDepth - 2))
    }
}
