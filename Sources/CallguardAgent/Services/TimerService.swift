import ServiceLifecycle

/// Runs `action` every `interval` until graceful shutdown: the attribution
/// cache's sweep (carried out on the reader's thread, see
/// ``Housekeeping``), the learn rescan.
public struct TimerService: Service {
    let interval: Duration
    let immediately: Bool
    let action: @Sendable () async -> Void

    /// Every `interval`; the first time at once when `immediately`.
    public init(every interval: Duration, immediately: Bool = false, action: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.immediately = immediately
        self.action = action
    }

    public func run() async throws {
        if immediately { await action() }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await action()
            }
        }
    }
}

/// Returns after `duration` (or at graceful shutdown), ending the group
/// gracefully: `learn`'s observation time.
public struct DeadlineService: Service {
    let duration: Duration

    public init(after duration: Duration) { self.duration = duration }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
