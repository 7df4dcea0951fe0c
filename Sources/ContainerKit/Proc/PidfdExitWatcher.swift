import CProcWatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches live processes for their exit with one pidfd each (kernel 5.3 and
/// later), all registered in one epoll set: ``collect(_:)`` is one
/// `epoll_wait` with timeout 0, whatever the number of processes watched.
///
/// Descriptors are bounded: the soft `RLIMIT_NOFILE` is raised to the hard limit
/// once, and at most that limit minus a reserve (for sockets, sinks, spool
/// files) is used; beyond it, and where pidfds are unsupported, ``watch(pid:)``
/// returns false and the caller verifies the process on each use instead.
final class PidfdExitWatcher {
    /// Descriptors left for everything else the agent opens.
    static let reserve = 1_024

    private let epoll: Int32
    private let limit: Int
    private var fds: [Int32: Int32] = [:]
    private var ready: [UInt64] = Array(repeating: 0, count: 64)
    private var unsupported = false

    init?() {
        let epoll = CProcWatch_epoll_create()
        guard epoll >= 0 else { return nil }
        self.epoll = epoll
        self.limit = max(0, CProcWatch_raise_nofile() - Self.reserve)
    }

    deinit {
        for fd in fds.values { close(fd) }
        close(epoll)
    }

    /// Processes watched now.
    var count: Int { fds.count }

    func watch(pid: Int32) -> Bool {
        unwatch(pid: pid)
        guard !unsupported, fds.count < limit else { return false }
        let fd = CProcWatch_pidfd_open(pid)
        guard fd >= 0 else {
            if errno == ENOSYS { unsupported = true }
            return false
        }
        guard CProcWatch_epoll_add(epoll, fd, UInt64(UInt32(bitPattern: pid))) == 0 else {
            close(fd)
            return false
        }
        fds[pid] = fd
        return true
    }

    func unwatch(pid: Int32) {
        if let fd = fds.removeValue(forKey: pid) { close(fd) }
    }

    func exited(pid: Int32) -> Bool {
        guard let fd = fds[pid] else { return true }
        return CProcWatch_readable(fd) != 0
    }

    func collect(_ body: (Int32) -> Void) {
        while true {
            let n = ready.withUnsafeMutableBufferPointer { CProcWatch_epoll_collect(epoll, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { return }
            for i in 0..<Int(n) {
                let pid = Int32(bitPattern: UInt32(truncatingIfNeeded: ready[i]))
                // Closing the descriptor also takes it out of the epoll set.
                unwatch(pid: pid)
                body(pid)
            }
            if Int(n) < ready.count { return }
        }
    }
}
