/// Where the ``Attributor`` learns of new processes and their parents as the
/// kernel creates them: the parent of a process that makes one syscall and
/// exits before `/proc` is read. A SECCOMP record names no parent, so without
/// this a container's short-lived process could only be reported as
/// "container unknown".
///
/// Announcements come in the order the kernel made them, and a process's fork
/// is announced before the process runs: drained before a batch of audit
/// records is evaluated, every fork that preceded those records is known.
public protocol ForkAnnouncements: AnyObject {
    /// Calls `body(child, parent)` for each new process (a new thread group, not
    /// a thread) announced since the last call, oldest first.
    func drain(_ body: (_ child: Int32, _ parent: Int32) -> Void)

    /// How many times the kernel could not queue announcements (the receive
    /// buffer was full): forks missed, whose processes may go unattributed.
    var overflows: UInt64 { get }
}

/// Fork announcements held in memory: for tests and benchmarks.
public final class InMemoryForkAnnouncements: ForkAnnouncements {
    private var queue: [(child: Int32, parent: Int32)] = []
    public var overflows: UInt64 = 0

    public init() {}

    /// Announces that `parent` created the process `child`.
    public func fork(child: Int32, parent: Int32) { queue.append((child, parent)) }

    public func drain(_ body: (_ child: Int32, _ parent: Int32) -> Void) {
        let pending = queue
        queue.removeAll(keepingCapacity: true)
        for (child, parent) in pending { body(child, parent) }
    }
}
