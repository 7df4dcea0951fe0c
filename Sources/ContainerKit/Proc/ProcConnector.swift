import CProcWatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The kernel's own process announcements: the process events connector
/// (`NETLINK_CONNECTOR`, `CN_IDX_PROC`, kernel `CONFIG_PROC_EVENTS`), read
/// without blocking. Only datagrams the kernel sent are read. Opening needs
/// `CAP_NET_ADMIN` on most kernels: open it before the agent drops its
/// capabilities.
///
/// While it is open the kernel builds one announcement per fork, exec and exit
/// on the host (a small datagram, on the process's own path). From kernel 6.6
/// only those kinds are delivered: a process renaming itself in a loop cannot
/// fill the buffer and push forks out.
public final class ProcConnector: ProcessAnnouncements {
    /// Why the connector could not be opened.
    public struct OpenError: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String {
            let reason = String(cString: strerror(errno))
            switch errno {
            case EPROTONOSUPPORT:
                return "the kernel has no process events connector (CONFIG_PROC_EVENTS): \(reason)"
            case EPERM, EACCES:
                return "subscribing to the kernel's process events needs CAP_NET_ADMIN (run as root): \(reason)"
            default:
                return "cannot subscribe to the kernel's process events: \(reason)"
            }
        }
    }

    /// The receive buffer asked for: about 10,000 announcements between two drains.
    public static let bufferBytes: Int32 = 8 << 20

    private let fd: Int32
    private var batch = [CProcWatchProcessEvent](repeating: CProcWatchProcessEvent(), count: 256)
    public private(set) var overflows: UInt64 = 0
    /// Datagrams the kernel sent (every announcement it delivered, wanted or not).
    public private(set) var datagrams: UInt64 = 0
    public var descriptor: Int32? { fd }

    /// Subscribes to the kernel's process events.
    public init() throws(OpenError) {
        let fd = CProcWatch_forks_open(Self.bufferBytes)
        guard fd >= 0 else { throw OpenError(errno: errno) }
        self.fd = fd
    }

    deinit { CProcWatch_forks_close(fd) }

    public func drain(_ body: (ProcessAnnouncement) -> Void) {
        while true {
            let capacity = Int32(batch.count)
            let n = batch.withUnsafeMutableBufferPointer { CProcWatch_forks_read(fd, $0.baseAddress, capacity, &overflows, &datagrams) }
            guard n > 0 else { return }
            for i in 0..<Int(n) {
                let e = batch[i]
                switch e.kind {
                case Int32(CProcWatchFork): body(.fork(child: e.pid, parent: e.parent))
                case Int32(CProcWatchExec): body(.exec(pid: e.pid))
                case Int32(CProcWatchExit): body(.exit(pid: e.pid))
                default: continue
                }
            }
            // Short of a full batch: the queue is empty.
            if n + 8 < capacity { return }
        }
    }
}
