import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT without blocking a thread.
enum TerminationSignal {
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "custody.signals")
            let box = SignalSources()
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    if box.fire() { continuation.resume() }
                }
                source.resume()
                box.sources.append(source)
            }
        }
    }

    /// Keeps the signal sources alive and resumes the waiter once.
    private final class SignalSources: @unchecked Sendable {
        // @unchecked: mutated only on the signal queue after set-up.
        var sources: [DispatchSourceSignal] = []
        private var fired = false

        func fire() -> Bool {
            defer { fired = true }
            return !fired
        }
    }
}
