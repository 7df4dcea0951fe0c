import ServiceLifecycle
import UnixSignals

/// Runs a handler whenever one of its signals arrives (SIGHUP: reload the
/// policies; SIGUSR1: print statistics), until graceful shutdown. Handlers
/// run one at a time, in the order the signals came. `onInstalled` runs once
/// every signal is trapped (inside the group, so SIGTERM and SIGINT are
/// trapped by then too): the place to say the agent is ready.
public struct SignalService: Service {
    let handlers: [(UnixSignal, @Sendable () -> Void)]
    let onInstalled: @Sendable () -> Void

    public init(_ handlers: [(UnixSignal, @Sendable () -> Void)], onInstalled: @escaping @Sendable () -> Void = {}) {
        self.handlers = handlers
        self.onInstalled = onInstalled
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: handlers.map(\.0))
        onInstalled()
        for await signal in signals.cancelOnGracefulShutdown() {
            for (trapped, handler) in handlers where trapped == signal { handler() }
        }
    }
}

/// Runs `action` once the group runs (its SIGTERM and SIGINT trapped), then
/// waits for graceful shutdown: `learn` says it is learning from here.
public struct StartedService: Service {
    let action: @Sendable () -> Void

    public init(_ action: @escaping @Sendable () -> Void) { self.action = action }

    public func run() async throws {
        action()
        try? await gracefulShutdown()
    }
}
