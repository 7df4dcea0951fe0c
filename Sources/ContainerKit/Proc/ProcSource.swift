/// Where process facts come from: the real `/proc`, a fixture directory laid
/// out like it, or an in-memory table in tests and benchmarks.
///
/// The ``Attributor`` calls it once per new process (and in ``Attributor/sweep()``),
/// never once per event.
public protocol ProcSource: AnyObject {
    /// The stat line and cgroup file of `pid`, or nil when no such process exists
    /// (it exited) or it vanished while being read.
    func snapshot(pid: Int32) -> ProcSnapshot?

    /// Only the stat line of `pid` (cheaper: used to check a cached pid was not reused).
    func stat(pid: Int32) -> ProcStat?

    /// Every pid that exists now (for filling the cache at start-up).
    func allPids() -> [Int32]
}
