/// A value kept in one heap box that copies share: copying costs one reference count, and the first change
/// after a copy moves the value into a box of its own. Hosts and steps keep their fields this way, since
/// every step on every host passes them around.
struct SharedBox<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Storage: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    init(_ value: Value) { storage = Storage(value) }

    var value: Value {
        get { storage.value }
        set {
            if isKnownUniquelyReferenced(&storage) { storage.value = newValue } else { storage = Storage(newValue) }
        }
    }

    static func == (a: SharedBox, b: SharedBox) -> Bool { a.storage === b.storage || a.storage.value == b.storage.value }

    func hash(into hasher: inout Hasher) { hasher.combine(storage.value) }
}
