import Dispatch
import Glibc

/// Turns process signals into calls on a serial queue (so that handlers may do
/// real work: reload policies, write statistics). The signals' default actions
/// are switched off while handlers are installed.
final class SignalHandlers: @unchecked Sendable {
    private let queue = DispatchQueue(label: "callguard.signals")
    private var sources: [any DispatchSourceSignal] = []

    /// Calls `handler` on the signal queue whenever `signal` arrives.
    func on(_ number: Int32, _ handler: @escaping @Sendable () -> Void) {
        Glibc.signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    /// Removes the handlers (the signals stay ignored until exit).
    func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}
