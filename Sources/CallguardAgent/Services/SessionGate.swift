import Synchronization

/// Keeps changes to the kernel's audit rules (a SIGHUP reload, learn's
/// rescan) from running after the audit session was stopped: once
/// ``close(_:)`` has run, ``ifOpen(_:)`` does nothing, and the two never
/// overlap. (The reader can stop on its own, when its socket fails, while
/// the other services are still running.)
public final class SessionGate: Sendable {
    private let open = Mutex(true)

    public init() {}

    /// Runs `body` if the session has not been closed.
    public func ifOpen(_ body: () -> Void) {
        open.withLock { isOpen in
            if isOpen { body() }
        }
    }

    /// Runs `body` (stopping the session) and closes the gate.
    public func close(_ body: () -> Void) {
        open.withLock { isOpen in
            guard isOpen else { return }
            isOpen = false
            body()
        }
    }
}
