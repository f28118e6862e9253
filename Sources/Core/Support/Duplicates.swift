extension Collection where Element: Hashable {
    /// The first element equal to an earlier one, skipping elements `ignored` rejects. Short collections
    /// (device lists) are scanned pairwise, which beats hashing them.
    public func firstRepeated(ignoring ignored: (Element) -> Bool = { _ in false }) -> Element? {
        let items = Array(self)
        guard items.count > 64 else {
            for i in items.indices where !ignored(items[i]) && items[..<i].contains(items[i]) { return items[i] }
            return nil
        }
        var seen = Set<Element>()
        return items.first { !ignored($0) && !seen.insert($0).inserted }
    }
}
