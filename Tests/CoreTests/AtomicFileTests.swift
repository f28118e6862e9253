import Foundation
import Testing
@testable import Core

@Suite struct AtomicFileTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("omnisim-atomic-\(UUID().uuidString)").path

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func replacesFilesAndWholeDirectories() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("one", to: root + "/a/file.txt")
        try AtomicFile.write("two", to: root + "/a/file.txt")
        #expect(read(root + "/a/file.txt") == "two")

        try AtomicFile.replaceDirectory(root + "/tree", with: [("x.json", "1"), ("sub/y.json", "2")])
        try AtomicFile.replaceDirectory(root + "/tree", with: [("sub/z.json", "3")])
        #expect(read(root + "/tree/sub/z.json") == "3")
        #expect(read(root + "/tree/x.json") == nil && read(root + "/tree/sub/y.json") == nil)
        // Nothing but the tree itself is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["a", "tree"])
    }

    @Test func refusesToReplaceWhatIsNotADirectory() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("mine", to: root + "/tree")
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.replaceDirectory(root + "/tree", with: [("x", "1")]) }
        #expect(read(root + "/tree") == "mine")
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("x", to: root + "/dir") }
    }
}
