import Testing
@testable import Simulator

@Suite struct FileStoreTests {
    func file(_ text: String) -> SimFile { SimFile(content: text, mode: 0o644) }

    @Test func listingWalkingAndClearingFollowTheDirectoryTree() {
        let store = FileStore(directories: [])
        store.makeDirectories("/r/a/b")
        store["/r/a/one"] = file("1")
        store["/r/a/b/two"] = file("2")
        store["/r/other"] = file("3")
        #expect(store.isDirectory("/r") && store.isDirectory("/r/a") && store.isDirectory("/r/a/b"))
        #expect(store.listing("/r/a") == ["/r/a/one"])
        #expect(store.listing("/r/a/") == ["/r/a/one"])
        #expect(store.paths(under: "/r") == ["/r/a/b/two", "/r/a/one", "/r/other"])
        #expect(store.paths(under: "/") == ["/r/a/b/two", "/r/a/one", "/r/other"])

        store.removeContents(of: "/r/a")
        #expect(store.isDirectory("/r/a") && !store.isDirectory("/r/a/b"))
        #expect(store["/r/a/one"] == nil && store["/r/a/b/two"] == nil)
        #expect(store.paths(under: "/r") == ["/r/other"])

        // Entries written again after a clear are found again, at any depth.
        store.makeDirectories("/r/a/c")
        store["/r/a/c/three"] = file("3")
        store["/r/a/one"] = file("1")
        #expect(store.paths(under: "/r/a") == ["/r/a/c/three", "/r/a/one"])
        store["/r/a/one"] = nil
        #expect(store.listing("/r/a").isEmpty)
    }

    @Test func mountedTreesAreSharedUntilWrittenOver() {
        let source = FileStore(directories: [])
        source.makeDirectories("/src/sub")
        source["/src/x"] = file("x")
        source["/src/sub/y"] = file("y")
        let tree = source.snapshot(of: "/src")
        #expect(tree.files.keys.sorted() == ["sub/y", "x"] && tree.directories == ["sub"])
        #expect(source.snapshot(of: "/src").root === tree.root)

        let target = FileStore(directories: [])
        target.makeDirectories("/dst")
        target["/dst/x"] = file("old")
        target["/dst/keep"] = file("k")
        target.mount(tree, at: "/dst")
        #expect(target["/dst/x"]?.content == "x")
        #expect(target.paths(under: "/dst") == ["/dst/keep", "/dst/sub/y", "/dst/x"])
        #expect(target.listing("/dst/sub") == ["/dst/sub/y"])
        #expect(target.snapshot(of: "/dst").files.keys.sorted() == ["keep", "sub/y", "x"])
        #expect(target.snapshot(of: "/dst/sub").files.keys.sorted() == ["y"])
        target.mount(tree, at: "/deep/er")
        #expect(target.snapshot(of: "/deep").directories == ["er", "er/sub"])
        #expect(target.snapshot(of: "/deep").files.keys.sorted() == ["er/sub/y", "er/x"])

        // Removing one shared file copies the tree into the machine's own files first.
        target["/dst/sub/y"] = nil
        #expect(target.paths(under: "/dst") == ["/dst/keep", "/dst/x"])
        #expect(target.isDirectory("/dst/sub"))
        #expect(tree.files["sub/y"] != nil)
    }

    @Test func summariesShowAMountedTreeAsOneEntryUntilItChanges() {
        let source = FileStore(directories: [])
        source.makeDirectories("/src/sub")
        source["/src/x"] = file("x")
        source["/src/sub/y"] = file("y")
        let target = FileStore(directories: [])
        target.mount(source.snapshot(of: "/src"), at: "/code")
        target.copy(source.snapshot(of: "/src/sub"), into: "/logs")
        let before = target.summaryEntries()
        #expect(before.keys.sorted() == ["/code/**", "/logs/y"])
        #expect(before["/code/**"]?.hasSuffix(" 2 files") == true)

        // A change inside the mounted tree lists its files one by one; the source is untouched.
        target["/code/sub/z"] = file("z")
        #expect(target.summaryEntries().keys.sorted() == ["/code/sub/y", "/code/sub/z", "/code/x", "/logs/y"])
        #expect(source.paths(under: "/src") == ["/src/sub/y", "/src/x"])
        #expect(source.summaryEntries().keys.sorted() == ["/src/sub/y", "/src/x"])
    }

    @Test func documentsPrintAsTheToolWritesThem() throws {
        let document = JSONValue.object([("a", .array([.string("x"), .int(1)]))])
        let written = SimFile(document: document, mode: 0o600)
        // json.dump(..., indent=4) writes nothing after the closing brace.
        #expect(written.content == "{\n    \"a\": [\n        \"x\",\n        1\n    ]\n}")
        #expect(try written.json() == document)
        #expect(try SimFile(content: written.content, mode: 0o600).json() == document)
        #expect(written == SimFile(content: written.content, mode: 0o600))
    }

    @Test func pathsAreSplitAsTheOSReadsThem() {
        // Repeated and trailing slashes name the same directory, as they do for the kernel.
        #expect(Array(FileStore.components("//x//y//")) == ["x", "y"])
        #expect(FileStore.components("/").isEmpty)
        // A combining mark after a slash makes one Character with it; the kernel still splits there.
        #expect(Array(FileStore.components("/d/\u{301}x")) == ["d", "\u{301}x"])
        let store = FileStore(directories: ["/a/b"])
        store["/a//b/c.json"] = SimFile(content: "1", mode: 0o644)
        #expect(store["/a/b/c.json"]?.content == "1" && store.isDirectory("/a/b/") && store.listing("/a/b") == ["/a/b/c.json"])
    }
}
