/// A value kept in one heap box that copies share: copying costs one reference count, and the first change
/// after a copy moves the value into a box of its own. Hosts, steps and the cluster keep their fields this way, since
/// every step on every host passes them around.
struct SharedBox<Value: Sendable>: Sendable {
    private final class Storage: @unchecked Sendable {
        // Written only through `value`'s modify accessor, after making the storage unique; reads are the
        // hot path of every step, and the dynamic exclusivity check would cost more than the read.
        @exclusivity(unchecked) var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    init(_ value: Value) { storage = Storage(value) }

    var value: Value {
        _read { yield storage.value }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
    }
}

extension SharedBox: Equatable where Value: Equatable {
    static func == (a: SharedBox, b: SharedBox) -> Bool { a.storage === b.storage || a.storage.value == b.storage.value }
}

extension SharedBox: Hashable where Value: Hashable {
    func hash(into hasher: inout Hasher) { hasher.combine(storage.value) }
}
