/// One thing the kernel announces about a process as it happens.
public enum ProcessAnnouncement: Sendable, Hashable {
    /// `parent` created the process `child` (a new thread group, not a thread).
    case fork(child: Int32, parent: Int32)
    /// The process `pid` executed a new program.
    case exec(pid: Int32)
    /// The process `pid` exited.
    case exit(pid: Int32)
}

/// Where the ``Attributor`` learns of new processes, their parents and their
/// programs as the kernel makes them: the parent of a process that makes one
/// syscall and exits before `/proc` is read (a SECCOMP record names no
/// parent), and the moment a runtime's child starts the container's program.
///
/// Announcements come in the order the kernel made them, and a process's fork
/// is announced before the process runs: drained before a batch of audit
/// records is evaluated, every fork that preceded those records is known.
public protocol ProcessAnnouncements: AnyObject {
    /// Calls `body` with each announcement made since the last call, oldest first.
    func drain(_ body: (ProcessAnnouncement) -> Void)

    /// How many times the kernel could not queue announcements (the receive
    /// buffer was full): forks missed, whose processes may go unattributed.
    var overflows: UInt64 { get }

    /// A descriptor that is readable when announcements wait (to poll beside
    /// the audit socket), or nil.
    var descriptor: Int32? { get }
}

/// Process announcements held in memory: for tests and benchmarks.
public final class InMemoryProcessAnnouncements: ProcessAnnouncements {
    private var queue: [ProcessAnnouncement] = []
    public var overflows: UInt64 = 0
    public var descriptor: Int32? { nil }
    /// How many times ``drain(_:)`` was called (each a read of the real connector).
    public private(set) var drains = 0

    public init() {}

    /// Announces that `parent` created the process `child`.
    public func fork(child: Int32, parent: Int32) { queue.append(.fork(child: child, parent: parent)) }
    /// Announces that `pid` executed a new program.
    public func exec(pid: Int32) { queue.append(.exec(pid: pid)) }
    /// Announces that `pid` exited.
    public func exit(pid: Int32) { queue.append(.exit(pid: pid)) }

    public func drain(_ body: (ProcessAnnouncement) -> Void) {
        drains += 1
        let pending = queue
        queue.removeAll(keepingCapacity: true)
        for announcement in pending { body(announcement) }
    }
}
