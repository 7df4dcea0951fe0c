import AuditKit
import SinkKit

extension Fold {
    /// One violation as the fold sees it, read from the event's parsed fields
    /// before any of its strings is made: its key, its finding, its serial and
    /// time, and the clock it is judged at.
    public struct Admission {
        /// The container (a number the verdict gives it), arch and syscall.
        public var key: Key
        /// The executable, command line and path as written.
        public var finding: Finding
        /// The event's serial.
        public var serial: UInt64
        /// The event's time.
        public var time: Timestamp
        /// The wall clock (ms) it is judged at.
        public var now: Int64

        /// `event`'s violation in the container numbered `container`, judged at `now`.
        @inline(__always)
        public init(_ event: SyscallEvent, container: Int, now: Int64) {
            let summary = event.summary
            key = Key(container: container, arch: (summary.arch ?? .x86_64).rawValue, syscall: summary.syscall ?? -1)
            finding = Finding(event)
            serial = UInt64(event.event.id.serial)
            time = Timestamp(millisecondsSinceEpoch: Int64(event.event.id.timestampMilliseconds))
            self.now = now
        }
    }
}
