import Dispatch

/// Two pieces of work that share nothing mutable, run at once: one on another thread, one on this one.
enum Concurrently {
    private final class Slot<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    /// Runs `elsewhere` on another thread while `here` runs on this one, waits for both, and returns what
    /// `elsewhere` made. An error of `here` is thrown first, then one of `elsewhere`.
    static func run<T: Sendable>(_ elsewhere: @escaping @Sendable () throws -> T, whileHere here: () throws -> Void) throws -> T {
        let slot = Slot<T>()
        let group = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: group) { slot.result = Result { try elsewhere() } }
        let hereResult = Result { try here() }
        group.wait()
        try hereResult.get()
        return try slot.result!.get()
    }
}
