import Foundation

/// Records SIGINT/SIGTERM instead of dying, so a run can stop between steps and still write its report.
final class InterruptFlag: @unchecked Sendable {
    private(set) var signal: Int32 = 0
    private var sources: [DispatchSourceSignal] = []

    /// `onSignal` runs once, at the first signal.
    static func install(onSignal: @escaping @Sendable () -> Void = {}) -> InterruptFlag {
        let flag = InterruptFlag()
        for sig in [SIGINT, SIGTERM] {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                guard flag.signal == 0 else { return }
                flag.signal = sig
                onSignal()
            }
            source.resume()
            flag.sources.append(source)
        }
        return flag
    }
}
