/// What callguard reads about a process when it first sees it: its stat line
/// and its cgroup file, read from the same process (never half from a reused pid).
public struct ProcSnapshot: Sendable, Hashable {
    /// The parsed `/proc/PID/stat`.
    public var stat: ProcStat
    /// The text of `/proc/PID/cgroup`.
    public var cgroup: String

    public init(stat: ProcStat, cgroup: String) {
        self.stat = stat
        self.cgroup = cgroup
    }
}
