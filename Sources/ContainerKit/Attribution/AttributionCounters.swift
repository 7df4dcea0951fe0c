/// What the ``Attributor`` did, for the agent's statistics line. Event counts
/// (`hits` + `misses` = events attributed) and process/container counts.
public struct AttributionCounters: Sendable, Hashable {
    /// Events answered from the process cache.
    public var hits: UInt64 = 0
    /// Events whose pid was not cached (one `/proc` read, and maybe one of the parent).
    public var misses: UInt64 = 0
    /// Events answered `.unknown`: the process had exited and its parent was unknown
    /// (or was a runtime helper such as runc or conmon).
    public var unattributed: UInt64 = 0
    /// Events of exited processes attributed through their recorded parent.
    public var viaParent: UInt64 = 0
    /// Events attributed to a container whose image was not (yet) found in the runtime state.
    public var imageUnresolved: UInt64 = 0
    /// Process snapshots read from the ``ProcSource`` (new processes, parents, `processSeen`).
    public var procReads: UInt64 = 0
    /// Cached pids found reused by another process (different start time).
    public var pidReuses: UInt64 = 0
    /// Exits of watched processes collected (their entries stopped being trusted as live).
    public var exitsSeen: UInt64 = 0
    /// Live processes cached without an exit watch (no pidfd, or descriptors
    /// exhausted): each of their events re-checks the process instead.
    public var unwatched: UInt64 = 0
    /// Violations checked for being a container runtime's bootstrap (a few `/proc` reads each).
    public var bootstrapChecks: UInt64 = 0
    /// New processes the kernel announced (``Attributor/forked(child:parent:)``).
    public var forksAnnounced: UInt64 = 0
    /// ... of them cached as their parent's container at once.
    public var forksCached: UInt64 = 0
    /// ... of them read from `/proc` at their fork instead: children announced
    /// as a namespace init's or a runtime helper's, which another container's
    /// process (or a `podman exec` process) may have made with CLONE_PARENT.
    public var forksRead: UInt64 = 0
    /// Entries dropped because announcements were lost (see ``Attributor/collectExits()``).
    public var forgottenAfterOverflow: UInt64 = 0
    /// Records written before the process that has their pid (or their
    /// parent's) started: another process's, whose pid was reused while the
    /// agent was behind; answered `.unknown` (see ``RecordClock``).
    public var recordsBeforeTheirProcess: UInt64 = 0
    /// Times the wall clock was seen stepped (records are then judged on the
    /// earlier clock until records written after the step come).
    public var clockSteps: UInt64 = 0
    /// Processes evicted from the full cache.
    public var processesEvicted: UInt64 = 0
    /// Containers whose state was found.
    public var containersResolved: UInt64 = 0
    /// Containers evicted after their state disappeared (removed) or to bound the cache.
    public var containersEvicted: UInt64 = 0
    /// Resolution attempts that found no state for a container.
    public var resolveFailures: UInt64 = 0

    public init() {}
}
