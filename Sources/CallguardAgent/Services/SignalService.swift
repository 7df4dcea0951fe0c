import ServiceLifecycle
import UnixSignals

/// Runs `action` whenever `signal` arrives (SIGHUP: reload the policies;
/// SIGUSR1: print statistics), until graceful shutdown. Actions run one at a
/// time, in the order the signals came.
public struct SignalService: Service {
    let signal: UnixSignal
    let action: @Sendable () -> Void

    public init(_ signal: UnixSignal, action: @escaping @Sendable () -> Void) {
        self.signal = signal
        self.action = action
    }

    public func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: signal).cancelOnGracefulShutdown() {
            action()
        }
    }
}
