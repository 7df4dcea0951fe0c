import AuditKit
import ContainerKit

/// Stage 4, attribution: which container made a syscall (pid → cgroup →
/// container → image, through ContainerKit's caches), or that it came from the
/// host, or that nothing can tell. Decided by the kernel's facts (/proc, the
/// runtimes' state), never by what the process says of itself.
///
/// Single-threaded: it belongs to the thread that reads the audit stream;
/// ``sweep()`` is called there too, when the housekeeping timer asks for it.
public final class Attribution {
    /// Who made a syscall.
    public enum Culprit {
        /// A host process (out of scope without a host policy).
        case host
        /// Nothing is known of the process: it and its parent exited before
        /// /proc was read.
        case unknown
        /// Nothing can be attributed from this source (`replay` without `--assume-image`).
        case unattributable
        /// A container ContainerKit found.
        case container(ContainerInfo)
        /// Every event is taken to come from a container of this image (`replay --assume-image`).
        case assumed(imageName: String)
    }

    /// What attribution found so far.
    public struct Counters: Sendable, Equatable {
        /// Events from host processes.
        public var host: UInt64 = 0
        /// Events no container could be found for (never guessed).
        public var unattributed: UInt64 = 0
    }

    /// Where containers are looked up.
    public let source: ContainerSource
    /// What attribution found so far.
    public private(set) var counters = Counters()

    /// `source`'s attributor when it is live, for the hot path: held apart
    /// from the enum (every `case .live(let attributor)` retained and released
    /// the payload) and used as a guaranteed reference (binding a strong or
    /// unowned one retained it too). `source` holds it for as long as this lives.
    private let attributor: Unmanaged<Attributor>?

    public init(source: ContainerSource) {
        self.source = source
        if case .live(let attributor) = source { self.attributor = .passUnretained(attributor) } else { attributor = nil }
    }

    /// Once per batch of audit messages, before its first event: processes
    /// that exited stop being answered from the cache, and the kernel's process
    /// announcements are taken in before the batch's first answer that needs
    /// them (see ``ContainerKit/Attributor/collectExitsDeferringAnnouncements()``).
    @inline(__always)
    public func beginBatch() {
        attributor?._withUnsafeGuaranteedRef { $0.collectExitsDeferringAnnouncements() }
    }

    /// Who made `event`'s syscall.
    @inline(__always)
    public func attribute(_ event: SyscallEvent) -> Culprit {
        switch source {
        case .none:
            counters.unattributed &+= 1
            return .unattributable
        case .assumed(let imageName):
            return .assumed(imageName: imageName)
        case .live:
            let pid = event.summary.pid ?? -1
            let ppid = event.summary.ppid ?? -1
            // The record's time: a process that started after it is not the one that wrote it.
            let writtenAt = event.event.id.timestampMilliseconds
            switch attributor!._withUnsafeGuaranteedRef({ $0.attribute(pid: pid, ppid: ppid, writtenAt: writtenAt) }) {
            case .host:
                counters.host &+= 1
                return .host
            case .unknown:
                counters.unattributed &+= 1
                return .unknown
            case .container(let info):
                return .container(info)
            }
        }
    }

    /// Whether `event` came from a container runtime's bootstrap (runc init
    /// before its seccomp filter and `execve`), as the kernel's facts show
    /// (``ContainerKit/Attributor/isRuntimeBootstrap(pid:ppid:)``). Asked only
    /// when a syscall is not allowed, so allowed syscalls pay nothing for it.
    public func isRuntimeBootstrap(_ event: SyscallEvent) -> Bool {
        guard let attributor else { return false }
        let pid = event.summary.pid ?? -1
        let ppid = event.summary.ppid ?? -1
        return attributor._withUnsafeGuaranteedRef { $0.isRuntimeBootstrap(pid: pid, ppid: ppid) }
    }

    /// Takes in the kernel's process announcements now (the reader saw them
    /// waiting, or an idle tick), not only when an attribution needs them.
    public func takeAnnouncements() {
        if case .live(let attributor) = source { attributor.takeAnnouncements() }
    }

    /// Housekeeping off the per-event path: drops exited processes beyond the
    /// cache's bound and retries images not yet resolved.
    public func sweep() {
        if case .live(let attributor) = source { attributor.sweep(maxProcesses: 4096) }
    }

    /// Times the kernel's fork announcements overflowed, for the metrics.
    public var forkOverflows: UInt64 {
        if case .live(let attributor) = source { return attributor.forkOverflows }
        return 0
    }

    /// Whether the kernel's fork announcements come in, for the metrics; nil
    /// when this source attributes no processes (`replay`).
    public var receivesForkAnnouncements: Bool? {
        if case .live(let attributor) = source { return attributor.receivesAnnouncements }
        return nil
    }

    /// Records written before the process that has their pid started (the pid
    /// reused while the agent was behind), answered unknown, for the metrics.
    public var recordsBeforeTheirProcess: UInt64 {
        if case .live(let attributor) = source { return attributor.counters.recordsBeforeTheirProcess }
        return 0
    }

    /// Cache misses (each a /proc read), for the metrics.
    public var misses: UInt64 {
        if case .live(let attributor) = source { return UInt64(attributor.counters.misses) }
        return 0
    }
}
