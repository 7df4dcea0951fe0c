import CAudit
import Glibc
import Synchronization

/// Stops an ``AuditReader`` that may be blocked in `poll`, from any thread:
/// sets a flag and writes an eventfd the reader polls beside its socket.
public final class AuditReaderWaker: Sendable {
    let eventFD: Int32
    private let stopFlag = Atomic<Bool>(false)
    private let runningFlag = Atomic<Bool>(false)

    init() throws(AuditError) {
        let fd = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard fd >= 0 else { throw AuditError.system("eventfd", errno) }
        eventFD = fd
    }

    deinit { _ = system_close(eventFD) }

    /// Asks the reader to return from ``AuditReader/run(_:)`` after the batch in hand.
    public func stop() {
        stopFlag.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(eventFD, &one, 8)
    }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopFlag.load(ordering: .acquiring) }

    /// Whether the reader is inside ``AuditReader/run(_:until:)`` now.
    public var isReaderRunning: Bool { runningFlag.load(ordering: .acquiring) }

    func setRunning(_ on: Bool) { runningFlag.store(on, ordering: .releasing) }

    /// Stops the reader and waits up to `timeout` until it has left
    /// ``AuditReader/run(_:until:)``. Returns whether it did.
    @discardableResult
    public func stopAndWait(timeout: Duration = .seconds(5)) -> Bool {
        stop()
        let deadline = ContinuousClock.now + timeout
        while isReaderRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
        return true
    }

    /// Clears a previous stop so the reader can run again.
    func reset() {
        stopFlag.store(false, ordering: .releasing)
        var value: UInt64 = 0
        _ = read(eventFD, &value, 8)
    }
}
