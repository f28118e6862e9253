import Testing
import TestSupport
@testable import Simulator

/// A directory's entries by name: random insertions, replacements and removals against a dictionary,
/// growing past the size where the map adds a hash index and shrinking back.
@Suite struct NameMapTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func matchesADictionary(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let names = (0..<60).map { "entry-\($0)" }
        var map = NameMap<Int>()
        var model: [String: Int] = [:]
        for step in 0..<3_000 {
            let name = names.randomElement(using: &random)!
            // Grow for a while, then shrink, so the map crosses its index threshold both ways.
            let growing = (step / 500) % 2 == 0
            if Int.random(in: 0..<100, using: &random) < (growing ? 75 : 25) {
                map[Name(name)] = step
                model[name] = step
            } else {
                map[Name(name)] = nil
                model[name] = nil
            }
            #expect(map.count == model.count)
            for probe in names where map[Name(probe)] != model[probe] {
                Issue.record("step \(step): \(probe) is \(String(describing: map[Name(probe)])), expected \(String(describing: model[probe]))")
                return
            }
        }
        let pairs = Dictionary(uniqueKeysWithValues: map.map { ($0.key.text, $0.value) })
        #expect(pairs == model)
        #expect(Set(map.keys.map(\.text)) == Set(model.keys))
    }

    @Test func valuesChangeInPlaceThroughTheirIndex() {
        var map = NameMap<[Int]>()
        for i in 0..<20 { map[Name("d\(i)")] = [i] }
        let i = map.index(forKey: Name("d7"))!
        map[at: i].append(70)
        #expect(map[Name("d7")] == [7, 70])
        #expect(map.index(forKey: Name("absent")) == nil)
    }
}
