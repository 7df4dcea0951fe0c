import AuditKit
import SinkKit
import Synchronization

/// Tells the SIEM when the kernel drops audit records. A container flooding
/// its forbidden call fills the kernel's backlog (`backlog_wait_time` 0: the
/// kernel drops rather than stall the caller), and every other container's
/// violations in that time are dropped with it; counted in `lost`, but a SIEM
/// that only reads the sinks would see nothing amiss. So the agent polls the
/// kernel's lost counter and sends an `audit-records-lost` notice through the
/// sinks, at most one per `minimumInterval`, carrying how many records were
/// dropped since the last one (the rest are summed into the next).
public final class LostRecordsNotice: Sendable {
    /// Reads the kernel's lost counter since the agent started (nil: unreadable).
    public typealias ReadLost = @Sendable () -> UInt64?

    private let readLost: ReadLost
    private let send: @Sendable (Violation) -> Void
    private let hostName: String
    private let minimumInterval: Double
    private struct State {
        var reported: UInt64 = 0
        var lastNotice = -Double.infinity
    }
    private let state = Mutex(State())

    /// A notice sender reading the counter with `readLost` and handing
    /// notices to `send` (the sinks).
    public init(hostName: String, minimumInterval: Double = 10, readLost: @escaping ReadLost, send: @escaping @Sendable (Violation) -> Void) {
        self.hostName = hostName
        self.minimumInterval = minimumInterval
        self.readLost = readLost
        self.send = send
    }

    /// One look at the counter at monotonic time `now` (seconds); returns the
    /// counter read (nil when it could not be read), and sends a notice when
    /// records were dropped since the last one and the interval has passed.
    @discardableResult
    public func poll(now: Double) -> UInt64? {
        guard let lost = readLost() else { return nil }
        let notice: Violation? = state.withLock { s in
            guard lost > s.reported, now - s.lastNotice >= minimumInterval else { return nil }
            let dropped = lost - s.reported
            s.reported = lost
            s.lastNotice = now
            return Self.make(dropped: dropped, hostName: hostName)
        }
        if let notice { send(notice) }
        return lost
    }

    /// The notice for `dropped` records.
    public static func make(dropped: UInt64, hostName: String) -> Violation {
        let now = Timestamp.now()
        return Violation(
            timestamp: now,
            event: Violation.Event(kind: "event", action: Violation.Event.recordsLost, severity: 5),
            hostName: hostName,
            container: nil,
            process: Violation.Process(pid: 0, ppid: nil, name: UntrustedBytes([]), executable: UntrustedBytes([]), userID: ""),
            syscall: Violation.Syscall(name: "", number: -1, arch: "", success: nil, exit: nil),
            policy: Violation.Policy(name: "", file: ""),
            audit: Violation.Audit(serial: 0, time: now),
            count: Int(clamping: dropped))
    }
}

extension LostRecordsNotice {
    /// The kernel's lost counter through `control` (a netlink socket of the
    /// notice's own), relative to `initialLost`, the counter when the agent
    /// started. The control socket is used by the one timer task that polls.
    public static func kernelCounter(control: AuditControl, initialLost: UInt32) -> ReadLost {
        let box = ControlBox(control)
        return {
            guard let status = try? box.control.status() else { return nil }
            return UInt64(status.lost &- initialLost)
        }
    }

    /// Hands the control socket to the polling task, its only user.
    private final class ControlBox: @unchecked Sendable {
        let control: AuditControl
        init(_ control: AuditControl) { self.control = control }
    }
}
