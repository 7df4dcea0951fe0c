/// A ``ProcSource`` backed by a table: for tests and benchmarks that need many
/// processes, exits and pid reuse without touching the real `/proc`.
///
/// Exits are watched as on the real `/proc`: ``remove(pid:)`` (and ``add`` over a
/// live pid, which stands for the old process exiting and its pid being reused)
/// reports the exit of a watched process to the next ``collectExits(_:)``.
public final class InMemoryProcSource: ProcSource {
    private var processes: [Int32: ProcSnapshot] = [:]
    private var seccompStates: [Int32: SeccompState] = [:]
    private var executables: [Int32: FileIdentity] = [:]
    private var files: [String: FileIdentity] = [:]
    private var argv: [Int32: [String]] = [:]
    private var watched: [Int32: Bool] = [:]  // pid → exited since watched
    private var exitQueue: [Int32] = []
    /// How many times a process was looked up (snapshot or stat), for tests that
    /// check `/proc` is read once per process.
    public private(set) var reads = 0
    /// Whether ``watchExit(pid:)`` succeeds (false: as without pidfd support).
    public var canWatchExits = true
    /// The clock (``ticksSinceBoot()``); nil: the latest start time of any process added.
    public var now: UInt64?
    private var latestStart: UInt64 = 0
    /// The wall clock at boot (ms since the epoch) for ``wallClock()``, 10 ms
    /// per tick; nil: no wall clock (records are not compared with start times).
    public var wallClockAtBoot: UInt64?

    public init() {}

    /// Adds (or replaces, for a reused pid) a running process.
    public func add(
        pid: Int32, ppid: Int32, startTime: UInt64, comm: String = "proc", cgroup: String,
        seccomp: SeccompState = SeccompState(mode: 0, filters: 0), executable: FileIdentity? = nil,
        arguments: [String] = []
    ) {
        if let old = processes[pid], old.stat.startTime != startTime { exited(pid) }
        latestStart = max(latestStart, startTime)
        processes[pid] = ProcSnapshot(
            stat: ProcStat(pid: pid, comm: comm, ppid: ppid, startTime: startTime), cgroup: cgroup)
        seccompStates[pid] = seccomp
        executables[pid] = executable
        argv[pid] = arguments
    }

    /// Makes `pid` exit (and be reaped).
    public func remove(pid: Int32) {
        exited(pid)
        processes[pid] = nil
        seccompStates[pid] = nil
        executables[pid] = nil
    }

    /// Makes `pid` exit without being reaped: a zombie, whose cgroup file reads
    /// `cgroup` (cgroup v1: the root of every hierarchy).
    public func becomeZombie(pid: Int32, cgroup: String) {
        guard let old = processes[pid] else { return }
        exited(pid)
        var stat = old.stat
        stat.state = UInt8(ascii: "Z")
        processes[pid] = ProcSnapshot(stat: stat, cgroup: cgroup)
    }

    /// Makes `pid` begin to exit (`PF_EXITING`, still running): its cgroup file
    /// reads `cgroup` (cgroup v1: the root of every hierarchy); its exit is not
    /// collected yet.
    public func beginExit(pid: Int32, cgroup: String) {
        guard let old = processes[pid] else { return }
        var stat = old.stat
        stat.state = UInt8(ascii: "R")
        stat.isExiting = true
        processes[pid] = ProcSnapshot(stat: stat, cgroup: cgroup)
    }

    /// Sets the seccomp state of a running process (it attached a filter).
    public func setSeccomp(pid: Int32, _ state: SeccompState) { seccompStates[pid] = state }

    /// Makes `path` name the file `identity` (for runtime binaries).
    public func addFile(_ path: String, _ identity: FileIdentity) { files[path] = identity }

    /// Processes watched for their exit now.
    public var watchedCount: Int { watched.count }

    private func exited(_ pid: Int32) {
        guard watched[pid] == false else { return }
        watched[pid] = true
        exitQueue.append(pid)
    }

    public func snapshot(pid: Int32) -> ProcSnapshot? {
        reads += 1
        return processes[pid]
    }

    public func allPids() -> [Int32] { processes.keys.sorted() }

    public func stat(pid: Int32) -> ProcStat? {
        reads += 1
        return processes[pid]?.stat
    }

    public func watchExit(pid: Int32) -> Bool {
        guard canWatchExits, processes[pid] != nil else { return false }
        watched[pid] = false
        return true
    }

    public func unwatchExit(pid: Int32) { watched[pid] = nil }

    public func exitedSinceWatch(pid: Int32) -> Bool { watched[pid] ?? true }

    public func collectExits(_ body: (Int32) -> Void) {
        let queue = exitQueue
        exitQueue.removeAll()
        for pid in queue where watched[pid] == true {
            watched[pid] = nil
            body(pid)
        }
    }

    public func isGone(pid: Int32) -> Bool { processes[pid] == nil }

    public func seccomp(pid: Int32) -> SeccompState? { processes[pid] == nil ? nil : seccompStates[pid] }

    public func executable(pid: Int32) -> FileIdentity? { processes[pid] == nil ? nil : executables[pid] }

    public func file(atPath path: String) -> FileIdentity? { files[path] }

    public func arguments(pid: Int32) -> [String]? { processes[pid] == nil ? nil : argv[pid] }

    public func ticksSinceBoot() -> UInt64 { now ?? latestStart }

    public func wallClock() -> WallClockReading? {
        guard let wallClockAtBoot else { return nil }
        return WallClockReading(
            wallMillisecondsAtBoot: Int64(wallClockAtBoot),
            wallMillisecondsNow: Int64(wallClockAtBoot + ticksSinceBoot() * 10), millisecondsPerTick: 10)
    }
}
