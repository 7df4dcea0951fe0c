/// A ``ProcSource`` backed by a table: for tests and benchmarks that need many
/// processes, exits and pid reuse without touching the real `/proc`.
public final class InMemoryProcSource: ProcSource {
    private var processes: [Int32: ProcSnapshot] = [:]
    /// How many times a process was looked up (snapshot or stat), for tests that
    /// check `/proc` is read once per process.
    public private(set) var reads = 0

    public init() {}

    /// Adds (or replaces, for a reused pid) a running process.
    public func add(pid: Int32, ppid: Int32, startTime: UInt64, comm: String = "proc", cgroup: String) {
        processes[pid] = ProcSnapshot(
            stat: ProcStat(pid: pid, comm: comm, ppid: ppid, startTime: startTime), cgroup: cgroup)
    }

    /// Makes `pid` exit.
    public func remove(pid: Int32) { processes[pid] = nil }

    public func snapshot(pid: Int32) -> ProcSnapshot? {
        reads += 1
        return processes[pid]
    }

    public func allPids() -> [Int32] { processes.keys.sorted() }

    public func stat(pid: Int32) -> ProcStat? {
        reads += 1
        return processes[pid]?.stat
    }
}
