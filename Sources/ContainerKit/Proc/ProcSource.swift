/// Where process facts come from: the real `/proc`, a fixture directory laid
/// out like it, or an in-memory table in tests and benchmarks.
///
/// The ``Attributor`` reads a snapshot once per new process, never once per
/// event. To keep a cached answer exact it watches each cached live process for
/// its exit (``watchExit(pid:)``, ``collectExits(_:)``): the agent collects the
/// exits once per batch of audit messages, before evaluating the batch, so a
/// pid that has exited is never answered from the cache as if it still ran.
public protocol ProcSource: AnyObject {
    /// The stat line and cgroup file of `pid`, or nil when no such process exists
    /// (it exited) or it vanished while being read.
    func snapshot(pid: Int32) -> ProcSnapshot?

    /// Only the stat line of `pid` (cheaper: used to check a cached pid was not reused).
    func stat(pid: Int32) -> ProcStat?

    /// Every pid that exists now (for filling the cache at start-up).
    func allPids() -> [Int32]

    /// Starts watching the process that has `pid` now for its exit. Call it
    /// before reading the process's snapshot, then ``exitedSinceWatch(pid:)``
    /// after: when that is false, the snapshot is of the watched process.
    /// Returns false when no watch is possible (no pidfd support, descriptors
    /// exhausted, a fixture directory); the caller then verifies on each use.
    func watchExit(pid: Int32) -> Bool

    /// Stops watching `pid` (its cache entry was dropped or replaced).
    func unwatchExit(pid: Int32)

    /// Whether the watched process `pid` has exited since ``watchExit(pid:)``.
    func exitedSinceWatch(pid: Int32) -> Bool

    /// Calls `body` with each watched pid whose process has exited since the
    /// last call, and stops watching it. Cheap when nothing exited (one
    /// `epoll_wait` with timeout 0 on the real `/proc`).
    func collectExits(_ body: (Int32) -> Void)

    /// Whether no process (not even a zombie) has `pid` now.
    func isGone(pid: Int32) -> Bool

    /// The seccomp state of `pid` (`Seccomp:` and `Seccomp_filters:` of
    /// `/proc/PID/status`), nil when unreadable.
    func seccomp(pid: Int32) -> SeccompState?

    /// The file `pid` executes (`/proc/PID/exe`, followed by the kernel: the
    /// file itself, not its name), nil when unreadable.
    func executable(pid: Int32) -> FileIdentity?

    /// The file at `path` (following symlinks), nil when absent.
    func file(atPath path: String) -> FileIdentity?

    /// The arguments of `pid` (`/proc/PID/cmdline`), nil when unreadable. Only
    /// read for host processes executing a container runtime binary, whose
    /// arguments the host's runtime stack chose.
    func arguments(pid: Int32) -> [String]?

    /// Now, in the unit and origin of ``ProcStat/startTime`` (clock ticks since
    /// boot, `CLOCK_BOOTTIME`), rounded down: compared with start times to tell
    /// whether a process started while another was still known to be alive.
    func ticksSinceBoot() -> UInt64

    /// The wall clock against ``ticksSinceBoot()``'s clock now (two clock
    /// reads, no system call), nil when start times are not the running
    /// kernel's (a fixture directory): then records are never compared with
    /// start times.
    func wallClock() -> WallClockReading?
}

extension ProcSource {
    /// No wall clock: records are not compared with start times.
    public func wallClock() -> WallClockReading? { nil }
}
