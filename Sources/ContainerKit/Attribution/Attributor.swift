/// Attributes a syscall's pid to the host or to a container and its image.
///
/// The agent calls ``attribute(pid:ppid:)`` for every event on its hot path:
/// a cached live process costs one hash lookup and allocates nothing. An
/// unknown pid is read from the ``ProcSource`` once (stat + cgroup) and cached
/// under pid and start time, with a watch on its exit (a pidfd on the real
/// `/proc`). The agent calls ``collectExits()`` once per batch of audit
/// messages, before evaluating the batch: an exited process's entry is then
/// answered only while its pid is still gone (late events of the process
/// itself), and read again as soon as the pid belongs to another process, so a
/// reused pid never inherits the old process's answer. A process not watched
/// (no pidfd support, descriptors exhausted) is checked on each use instead.
///
/// A new container process's parent is read once as well when not cached (so
/// that runc create, which exits within milliseconds, is known as runc init's
/// parent afterwards; see ``isRuntimeBootstrap(pid:ppid:)``).
///
/// A pid that has already exited is attributed through its recorded parent
/// when the parent is known; otherwise the answer is `.unknown` and counted,
/// never guessed.
///
/// Given the record's time, a record written before the process that has its
/// pid now started is `.unknown` too: its writer exited and the pid went round
/// while the agent was behind (see ``RecordClock``; one compare on the hot path).
///
/// With ``ProcessAnnouncements`` (the kernel's process events connector), each
/// new process whose parent is in a container is cached at once as that
/// container's, before any of its audit records is evaluated: a process that
/// makes one syscall and exits before `/proc` is read is still attributed,
/// although a SECCOMP record names no parent (see ``forked(child:parent:)``);
/// and a runtime's child is read when it executes the container's program
/// (see ``executed(pid:)``).
///
/// Call ``processSeen(pid:ppid:)`` as early as a new pid shows up (the return
/// value of clone/fork/vfork, an execve) so that short-lived processes are
/// cached while they still exist, and ``sweep(maxProcesses:)`` every few seconds off the hot
/// path: it retries unresolved images and evicts containers removed from the
/// runtime state.
///
/// Not thread-safe: one instance belongs to the one thread that reads the audit stream.
public final class Attributor {
    /// Sizes, rate limits and grace periods.
    public struct Configuration: Sendable {
        /// Processes kept in the cache (CLOCK eviction beyond).
        public var processCapacity: Int = 65_536
        /// Containers kept (those no cached process refers to are dropped beyond).
        public var containerCapacity: Int = 4_096
        /// Least time between two attempts to find an unresolved container's state.
        public var resolveRetryInterval: Double = 1.0
        /// How long a container must be gone from the runtime state before it is evicted
        /// (late events of its exited processes still name it meanwhile).
        public var removalGrace: Double = 30.0
        /// `comm` prefixes of container runtime helpers on the host (the LXC monitor is
        /// `lxc-start`: an LXC container's init can clone with CLONE_PARENT). An exited child
        /// of one of these may have been a container's first process, so it is not
        /// attributed to the host through such a parent. (A host process naming
        /// itself so only makes its exited children unattributed, never unchecked.)
        public var runtimeHelperPrefixes: [String] = ["runc", "crun", "conmon", "containerd-shim", "youki", "runsc", "lxc-start"]
        /// `comm` prefixes of the host processes that start a runtime binary as
        /// their child (conmon, containerd's shims): such a child is read again at
        /// each record until it executes the runtime (see `slot(for:)`).
        public var runtimeLauncherPrefixes: [String] = ["conmon", "containerd-shim"]
        /// The container runtime binaries on the host (OCI runtimes that run a
        /// container's bootstrap: runc, crun, youki). Compared by the file itself
        /// (device and inode of `/proc/PID/exe`), never by a name a process chose.
        public var runtimeBinaries: [String] = [
            "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc",
            "/usr/bin/crun", "/usr/local/bin/crun", "/usr/bin/youki", "/usr/local/bin/youki",
        ]

        public init() {}
    }

    // Unchecked exclusivity: the hot path touches these on every event, and the
    // type is single-threaded by contract (see the type's documentation).

    /// What happened so far.
    @exclusivity(unchecked) public private(set) var counters = AttributionCounters()

    private let proc: any ProcSource
    private let announcements: (any ProcessAnnouncements)?
    private let resolver: ContainerResolver
    private let configuration: Configuration
    private let clock: SecondsClock
    @exclusivity(unchecked) private var table: ProcessTable
    private var containers: [String: ContainerRecord] = [:]
    private var sweepCursor = 0
    private var runtimeIdentities: Set<FileIdentity> = []
    /// The file names of the runtime binaries present on the host (for a bare `argv[0]`).
    private var runtimeNames: Set<String> = []
    private var readingParent = false

    private struct ContainerRecord {
        var ref: ContainerRef
        var info: ContainerInfo
        var nextRetry: Double
        var missingSince: Double?
    }

    public init(
        proc: any ProcSource = ProcFileSystem(), announcements: (any ProcessAnnouncements)? = nil,
        resolver: ContainerResolver = ContainerResolver(),
        configuration: Configuration = Configuration(), clock: @escaping SecondsClock = monotonicSeconds
    ) {
        self.proc = proc
        self.announcements = announcements
        self.resolver = resolver
        self.configuration = configuration
        self.clock = clock
        self.table = ProcessTable(capacity: configuration.processCapacity)
        resolveRuntimeBinaries()
        refreshRecordClock()
    }

    /// Processes currently cached.
    public var cachedProcesses: Int { table.count }

    /// The key (pid + start time) under which `pid` is cached, or nil when it is
    /// not cached; the start time is 0 for a process known only through its parent.
    public func cachedKey(pid: Int32) -> ProcessKey? {
        guard let s = table.slot(of: pid) else { return nil }
        return ProcessKey(pid: pid, startTime: table.slots[s].startTime)
    }

    /// Containers currently known (resolved or not).
    public var knownContainers: [ContainerInfo] { containers.values.map(\.info) }

    // MARK: - Hot path

    /// The attribution of an event made by `pid`, whose parent was `ppid` (both
    /// from the SYSCALL record; pass 0 when the parent is not known), written
    /// at `writtenAt` (the record's time, ms since the epoch; 0 when not known).
    ///
    /// A record written before the process that has `pid` now started (by more
    /// than ``RecordClock/marginMilliseconds``) was another process's, whose pid
    /// was reused while the agent was behind: it is `.unknown` (and counted in
    /// ``AttributionCounters/recordsBeforeTheirProcess``), never that process's
    /// container or the host. So is an exited process's record whose parent
    /// started after it was written.
    @inline(__always)
    public func attribute(pid: Int32, ppid: Int32, writtenAt: UInt64 = 0) -> Attribution {
        let latestStart = recordClock.latestStart(forRecordAt: writtenAt)
        if let s = table.slot(of: pid), let attribution = table.hit(s, startedBy: latestStart) {
            counters.hits &+= 1
            if case .unknown = attribution { counters.unattributed &+= 1 }
            return attribution
        }
        return attributeSlowly(pid: pid, ppid: ppid, latestStart: latestStart)
    }

    /// The rest of ``attribute(pid:ppid:writtenAt:)``: every answer but a
    /// watched live process's whose record was written after it started.
    private func attributeSlowly(pid: Int32, ppid: Int32, latestStart: UInt64) -> Attribution {
        takeAnnouncementsForThisBatch()
        // Set only now: the announcements taken in above are not this record's.
        recordLatestStart = latestStart
        defer { recordLatestStart = .max }
        // The announcements may have dropped or replaced the entry.
        let attribution =
            if let s = table.slot(of: pid) {
                attributeCached(slot: s, pid: pid, ppid: ppid)
            } else {
                attributeMiss(pid: pid, ppid: ppid)
            }
        // The entry answered from is the process that has the pid now (0: known through its parent).
        if let s = table.slot(of: pid), Self.started(table.slots[s]) > latestStart {
            counters.recordsBeforeTheirProcess &+= 1
            if case .unknown = attribution {} else { counters.unattributed &+= 1 }
            return .unknown
        }
        return attribution
    }

    /// When `slot`'s process started at the earliest (ticks since boot).
    private static func started(_ slot: ProcessTable.Slot) -> UInt64 { max(slot.startTime, slot.bornAfter) }

    /// Converts records' times to start times (refreshed once per batch).
    private var recordClock = RecordClock()
    /// While a record is answered: the latest start time of a process that can have written it.
    private var recordLatestStart: UInt64 = .max

    /// Reads the wall clock against the start times' clock again (once per batch).
    private func refreshRecordClock() {
        if recordClock.refresh(proc.wallClock()) { counters.clockSteps &+= 1 }
    }

    /// Invalidates the entries of watched processes that have exited. Call once
    /// per batch of audit messages, after receiving it and before evaluating it
    /// (and when idle, so that an exit's time is known within a tick): every
    /// exit before a record in the batch was written is collected, so no exited
    /// process's pid is answered as if it still ran. Then the announcements
    /// made since the last call are taken in (``takeAnnouncements()``): every
    /// process created before a record in the batch was written is known.
    @inline(__always)
    public func collectExits() {
        collectExitsDeferringAnnouncements()
        takeAnnouncements()
    }

    /// ``collectExits()``, the announcements left until the batch's first
    /// answer that is not a watched live process's (a miss, an exited or
    /// announced entry), which takes them in first: a watched live process's
    /// answer needs none, so a batch of such hits costs no read of them (one
    /// syscall per batch less on the agent's hot path). They are taken in at
    /// least every ``announcementBatchLimit`` batches all the same, so that the
    /// kernel's buffer never fills.
    @inline(__always)
    public func collectExitsDeferringAnnouncements() {
        refreshRecordClock()
        let now = proc.ticksSinceBoot()
        proc.collectExits { pid in
            guard let s = table.slot(of: pid), table[s].liveness == .watched else { return }
            table[s].liveness = .verify
            table[s].exitSeen = true
            table[s].exitBy = now
            counters.exitsSeen &+= 1
        }
        guard announcements != nil else { return }
        announcementsTaken = false
        batchesSinceAnnouncements &+= 1
        if _slowPath(batchesSinceAnnouncements >= Self.announcementBatchLimit) { takeAnnouncements() }
    }

    /// Batches at most between two reads of the announcements.
    public static let announcementBatchLimit = 64
    private var announcementsTaken = true
    private var batchesSinceAnnouncements = 0

    /// Before an answer the announcements may change, once per batch.
    @inline(__always)
    private func takeAnnouncementsForThisBatch() {
        if _slowPath(!announcementsTaken) { takeAnnouncements() }
    }

    /// Takes in the announcements made since the last call
    /// (``forked(child:parent:)``, ``executed(pid:)``). Call it too whenever
    /// they wait (``ProcessAnnouncements/descriptor``), so that a runtime's
    /// child is read while it runs the container's program.
    public func takeAnnouncements() {
        guard let announcements else { return }
        announcementsTaken = true
        batchesSinceAnnouncements = 0
        // Every announcement queued before the last read began was read then
        // (each read empties the queue): a child announced now started after
        // it (its start time is set microseconds before its announcement).
        let readAt = proc.ticksSinceBoot()
        announcedAfter = lastAnnouncementRead
        defer { lastAnnouncementRead = readAt }
        announcements.drain { announcement in
            switch announcement {
            case .fork(let child, let parent): forked(child: child, parent: parent)
            case .exec(let pid): executed(pid: pid)
            case .exit(let pid): awaitingExec.remove(pid)
            }
        }
        if _slowPath(announcements.overflows != overflowsSeen) {
            overflowsSeen = announcements.overflows
            forgetUnwatched()
        }
    }

    /// When the announcements were last read (ticks since boot; 0: never).
    private var lastAnnouncementRead: UInt64 = 0
    /// While announcements are taken in: the previous read, which every process announced now started after.
    private var announcedAfter: UInt64 = 0

    /// ``ProcessAnnouncements/overflows`` when last taken in.
    private var overflowsSeen: UInt64 = 0

    /// After announcements were lost (the kernel reports it at the next read,
    /// before any record of a process whose fork was lost is evaluated): a
    /// lost fork may have reused the pid of any entry that is not a watched
    /// live process (an announced child, one attributed through its parent, an
    /// exited process), whose answer would then be given for the new process
    /// once it is gone, e.g. another container's (one forking in a loop can
    /// fill the buffer at will). Those entries are dropped: such pids are read
    /// from `/proc` again, and one gone already is unknown, never guessed.
    private func forgetUnwatched() {
        var pids: [Int32] = []
        for s in 0..<table.capacity where table[s].occupied && table[s].liveness != .watched {
            pids.append(table[s].pid)
        }
        for pid in pids { remove(pid: pid) }
        counters.forgottenAfterOverflow &+= UInt64(pids.count)
    }

    /// Times the kernel could not announce (its buffer was full), for the metrics.
    public var forkOverflows: UInt64 { announcements?.overflows ?? 0 }

    /// Whether the kernel's process announcements come in (they could not be
    /// subscribed to: no CAP_NET_ADMIN, or no process events connector).
    public var receivesAnnouncements: Bool { announcements != nil }

    /// Children of host processes executing a runtime binary: read again when
    /// they execute a program (the container's, once they have joined its cgroup).
    private var awaitingExec: Set<Int32> = []
    /// Bounds ``awaitingExec`` (entries whose exit was not announced).
    private static let awaitingExecLimit = 4_096

    /// Takes in the kernel's announcement that `pid` executed a program: a
    /// child of a runtime binary (runc init) is read now, while it runs what
    /// may be the container's program, so that it is the container's even if
    /// it exits before its first record is evaluated. Any other exec costs a
    /// set lookup.
    public func executed(pid: Int32) {
        guard awaitingExec.contains(pid) else { return }
        processSeen(pid: pid)
        if let s = table.slot(of: pid), case .container = table[s].attribution { awaitingExec.remove(pid) }
    }

    /// Takes in the kernel's announcement that `parent` created the process
    /// `child` (in the order announced, before the child's records are
    /// evaluated). The child is in its parent's cgroup at creation, so a child
    /// of a container's process is cached as that container's, without a
    /// `/proc` read: should it exit before its first record is evaluated, its
    /// records are still the container's. Its own `/proc` entry is read at its
    /// first record while it lives. A child of a host process is not cached
    /// (a runtime moves its own children into a container's cgroup after
    /// creating them); any older entry under the child's pid is dropped, for it
    /// was another process's.
    ///
    /// The announced parent is not always the creator: a child made with
    /// CLONE_PARENT is its creator's parent's, in its creator's cgroup. A
    /// container process's parent is of its container, except for the pid
    /// namespace's init, which adopts orphans of every container sharing the
    /// namespace (`--pid container:…`, a pod sharing its process namespace), and
    /// for processes whose parent is on the host (`podman exec`: conmon). So a
    /// child of a container process whose parent is not of its container
    /// (``ProcessTable/Slot/foreignParent``), or of a runtime helper, is read
    /// from `/proc` now; only if it is gone already is it its parent's, and not
    /// even then when that parent was seen adopting another container's process
    /// (``ProcessTable/Slot/adoptsForeign``): then it is unknown.
    public func forked(child: Int32, parent: Int32) {
        guard child > 0 else { return }
        counters.forksAnnounced &+= 1
        if let s = table.slot(of: child) {
            // Read from /proc since the fork (so the child itself), and still alive: keep.
            if table[s].liveness == .watched, !table[s].derived, !proc.exitedSinceWatch(pid: child) { return }
            remove(pid: child)
        }
        awaitingExec.remove(child)
        guard parent > 0 else { return }
        let (attribution, pending) = throughParent(parent)
        guard case .container = attribution else {
            // runc create (or exec) starting runc init: read it now (runc init,
            // waiting for `runc start`, is often in the container's cgroup
            // already, and then watched from here on); if still on the host,
            // again at its exec.
            if let p = table.slot(of: parent), table[p].runtimeBinary, !table[p].derived {
                processSeen(pid: child, ppid: parent)
                counters.forksRead &+= 1
                if let c = table.slot(of: child), !table[c].derived, case .container = table[c].attribution { return }
                if awaitingExec.count >= Self.awaitingExecLimit { awaitingExec.removeAll(keepingCapacity: true) }
                awaitingExec.insert(child)
            } else if let p = table.slot(of: parent), table[p].runtimeHelper || table[p].runtimeLauncher, !table[p].derived {
                // conmon's child: runc, or a CLONE_PARENT child of a `podman exec` process.
                processSeen(pid: child, ppid: parent)
                counters.forksRead &+= 1
            }
            return
        }
        if let p = table.slot(of: parent), table[p].foreignParent, !table[p].derived {
            counters.forksRead &+= 1
            if let entry = readProcess(child) {
                // Only a container's answer is taken: a child just forked can read as
                // the root cgroup until the kernel has attached it to its creator's.
                if case .container(let info) = entry.attribution {
                    if info.id != attribution.container?.id, let p = table.slot(of: parent) { table[p].adoptsForeign = true }
                    insert(entry)
                    return
                }
                proc.unwatchExit(pid: child)
            }
            // Gone already (reaped while the agent was late): its parent's container,
            // as for any child, unless the parent was seen with another container's
            // child (a shared pid namespace): then not guessed. (Answering unknown
            // for every init cost a fifth of the init's own children that exit
            // within microseconds.)
            if let p = table.slot(of: parent), table[p].adoptsForeign { return }
        }
        insert(
            ProcessTable.Slot(
                pid: child, attribution: attribution, pending: pending, derived: true, announced: true,
                bornAfter: announcedAfter))
        counters.forksCached &+= 1
    }

    // MARK: - Filling the cache

    /// Records `pid` now, while it still exists (call when a new pid appears:
    /// clone/fork/vfork results, execve). Reads its stat and cgroup once; an
    /// entry cached under the same start time is kept, one under another start
    /// time (a reused pid) is replaced. If the process has already exited, it
    /// is attributed through `ppid` when that is known.
    public func processSeen(pid: Int32, ppid: Int32 = 0) {
        guard pid > 0 else { return }
        if let s = table.slot(of: pid), table[s].liveness == .watched, !table[s].derived {
            table.touch(s)
            return
        }
        let cachedStart = table.slot(of: pid).flatMap { table[$0].derived ? nil : table[$0].startTime }
        guard let entry = readProcess(pid) else {
            if table.slot(of: pid) == nil, ppid > 0 {
                let (attribution, pending) = throughParent(ppid)
                insert(ProcessTable.Slot(pid: pid, attribution: attribution, pending: pending, derived: true))
            }
            return
        }
        if let cachedStart, cachedStart != entry.startTime { counters.pidReuses &+= 1 }
        insert(entry)
    }

    /// Reads every process that exists now into the cache (at start-up, so that
    /// the first events of long-running processes are already hits) and returns
    /// the containers they are in, e.g. to report containers that no policy matches.
    /// Processes beyond the cache's capacity are read but not all kept.
    @discardableResult
    public func scanRunningProcesses() -> [ContainerInfo] {
        var seen: [String: ContainerInfo] = [:]
        for pid in proc.allPids() {
            processSeen(pid: pid)
            if let s = table.slot(of: pid), let info = table.slots[s].attribution.container {
                seen[info.id] = info
            }
        }
        return seen.values.sorted { $0.id < $1.id }
    }

    // MARK: - The container runtime's bootstrap

    /// Whether the event made by `pid` (whose parent the record names `ppid`)
    /// comes from a container runtime's bootstrap: runc init (or crun's child)
    /// setting up the container inside its cgroup, before it installs the
    /// container's seccomp filter and executes the image's command.
    ///
    /// Decided only by what the kernel vouches for, never by a name: `pid` is
    /// cached in a container, still alive under the same start time and still
    /// the child of `ppid`; `ppid` is a host process (in no container's cgroup),
    /// started before `pid`, executing one of ``Configuration/runtimeBinaries``
    /// (the file itself, by device and inode); and `pid` has attached no seccomp
    /// filter beyond its parent's (runc installs the container's filter just
    /// before it executes the command, and runc exec's process has it before
    /// runc exits). A container's own process never has a host runtime process
    /// as its parent: runc create exits before runc start lets the command run.
    ///
    /// Reads `/proc` (a few small files), so call it only for events that would
    /// otherwise be violations. A "no" is remembered for the process.
    public func isRuntimeBootstrap(pid: Int32, ppid: Int32) -> Bool {
        guard ppid > 1, let s = table.slot(of: pid), !table[s].derived, table[s].attribution.container != nil
        else { return false }
        let startTime = table[s].startTime
        if childOfRuntimeCreate(ppid: ppid, childStart: startTime) { return true }
        guard !table[s].bootstrapRuledOut else { return false }
        counters.bootstrapChecks &+= 1
        let bootstrap = checkBootstrap(pid: pid, ppid: ppid, startTime: startTime)
        if !bootstrap, let s = table.slot(of: pid), table[s].startTime == startTime {
            table[s].bootstrapRuledOut = true
        }
        return bootstrap
    }

    /// Whether `ppid` is (or was) a host process executing a runtime binary as
    /// `create`, started before the child. The record's ppid is written by the
    /// kernel; `runc create` exits before `runc start` lets the container's
    /// command run, so every record naming it as parent is runc init's. Known
    /// from the cache, so it holds after runc create has exited (it is read when
    /// its child is first seen, or at its own first event) for a child that
    /// started while runc create was known alive: a process started later is the
    /// child of another process that got the pid afterwards (a parent always
    /// starts before its child), even once that one is gone too.
    private func childOfRuntimeCreate(ppid: Int32, childStart: UInt64) -> Bool {
        guard let p = table.slot(of: ppid), table[p].runtimeCreate, !table[p].derived,
            table[p].startTime <= childStart
        else { return false }
        switch table[p].liveness {
        case .watched: return true
        case .reread: return false
        case .verify:
            // Gone: the one cached, unless another process had the pid (and its
            // child the record) meanwhile; such a child started after runc create's
            // exit, so after the collection that saw it (without an exit watch:
            // after runc create was last seen alive).
            if proc.isGone(pid: ppid) {
                return childStart <= (table[p].exitSeen ? table[p].exitBy : table[p].readAt)
            }
            // Alive: still the one cached (or its zombie), not a reused pid.
            let now = proc.stat(pid: ppid)
            return now?.startTime == table[p].startTime && (!table[p].exitSeen || now?.isZombie == true)
        }
    }

    /// Whether `argv` (a runtime binary's) runs its `create` subcommand.
    static func isCreate(_ argv: [String]) -> Bool {
        let words = argv.dropFirst()
        return words.contains("create") && !words.contains("run") && !words.contains("exec")
    }

    private func checkBootstrap(pid: Int32, ppid: Int32, startTime: UInt64) -> Bool {
        guard !runtimeIdentities.isEmpty,
            let me = proc.stat(pid: pid), me.startTime == startTime, me.ppid == ppid,
            let parent = proc.snapshot(pid: ppid), parent.stat.startTime <= startTime,
            case .host = ProcCgroupFile.classify(parent.cgroup),
            runsRuntimeBinary(hostPid: ppid),
            let mine = proc.seccomp(pid: pid), let theirs = proc.seccomp(pid: ppid), !mine.hasFilterBeyond(theirs),
            // The parent read above is still the same process (its pid was not reused meanwhile).
            let again = proc.stat(pid: ppid), again.startTime == parent.stat.startTime
        else { return false }
        return true
    }

    /// Finds the configured runtime binaries' files again (a package upgrade replaces them).
    private func resolveRuntimeBinaries() {
        runtimeIdentities = Set(configuration.runtimeBinaries.compactMap { proc.file(atPath: $0) })
        runtimeNames = Set(
            configuration.runtimeBinaries.filter { proc.file(atPath: $0) != nil }.compactMap { $0.split(separator: "/").last.map(String.init) })
    }

    private func isRuntimeHelper(comm: String) -> Bool {
        configuration.runtimeHelperPrefixes.contains { comm.hasPrefix($0) }
    }

    private func isRuntimeLauncher(comm: String) -> Bool {
        configuration.runtimeLauncherPrefixes.contains { comm.hasPrefix($0) }
    }

    /// Whether the host process `hostPid` executes one of the runtime binaries.
    ///
    /// The kernel's word first: the file behind `/proc/PID/exe`, by device and
    /// inode. Reading it needs ptrace access to the process, which the agent
    /// gives up with its capabilities (CAP_SYS_PTRACE would let it take over any
    /// process): then the command line the host started it with decides — an
    /// absolute `argv[0]` must be that very file, a bare one must carry a
    /// runtime binary's name. Only ever asked of processes in the host's cgroups,
    /// which no container process can enter or start: their argv is the
    /// host's, never the container's.
    private func runsRuntimeBinary(hostPid pid: Int32) -> Bool {
        if let exe = proc.executable(pid: pid) { return runtimeIdentities.contains(exe) }
        guard let first = proc.arguments(pid: pid)?.first, !first.isEmpty else { return false }
        if first.hasPrefix("/") { return proc.file(atPath: first).map(runtimeIdentities.contains) ?? false }
        return !first.contains("/") && runtimeNames.contains(first)
    }

    // MARK: - Housekeeping

    /// Housekeeping, every few seconds, off the hot path:
    /// - drops entries of exited processes whose pid now belongs to another process
    ///   (they would be read again on their next event anyway; this frees the slot);
    /// - retries unresolved containers (rate-limited);
    /// - evicts containers gone from the runtime state for longer than `removalGrace`, and their processes;
    /// - finds the runtime binaries again.
    ///
    /// Watched live processes need no visit: their exits are collected exactly.
    ///
    /// - Parameter maxProcesses: how many cache slots to visit in this call;
    ///   the next call continues where this one stopped.
    public func sweep(maxProcesses: Int = .max) {
        let now = clock()
        var reused: [Int32] = []
        let steps = min(maxProcesses, table.capacity)
        for _ in 0..<steps {
            let s = sweepCursor
            sweepCursor = (sweepCursor + 1) % table.capacity
            // An entry from a fork announcement is replaced by the pid's next fork.
            guard table[s].occupied, table[s].liveness == .verify, !table[s].announced else { continue }
            let slot = table[s]
            if let stat = proc.stat(pid: slot.pid),
                slot.derived || stat.startTime != slot.startTime || (slot.exitSeen && !stat.isZombie)
            {
                reused.append(slot.pid)
            }
        }
        for pid in reused {
            remove(pid: pid)
            counters.pidReuses &+= 1
        }
        resolveRuntimeBinaries()
        var evict: [String] = []
        for (id, record) in containers {
            if !record.info.isResolved {
                _ = retryResolve(id: id, now: now)
                continue
            }
            switch resolver.exists(record.ref, as: record.info.runtime) {
            case .some(false):
                if let since = record.missingSince {
                    if now - since >= configuration.removalGrace { evict.append(id) }
                } else {
                    containers[id]?.missingSince = now
                }
            default:
                containers[id]?.missingSince = nil
            }
        }
        if !evict.isEmpty { evictContainers(Set(evict)) }
    }

    // MARK: - Cached entries that need a look

    /// A cached entry that is not a watched live process, or whose image is pending.
    private func attributeCached(slot s: Int, pid: Int32, ppid: Int32) -> Attribution {
        switch table[s].liveness {
        case .watched:
            break
        case .reread:
            return attributeMiss(pid: pid, ppid: ppid)
        case .verify:
            // Still gone: the event is a late one of the cached process itself.
            // Alive: the same process (a zombie, or one without an exit watch) or a reused pid.
            if !proc.isGone(pid: pid) {
                counters.procReads &+= 1
                let now = proc.stat(pid: pid)
                if table[s].announced {
                    // The pid is the announced process's until its next fork is
                    // announced: a zombie (or vanished) is that process, dead.
                    // Alive, it is read now; gone meanwhile, it stays its parent's container.
                    if let now, !now.isZombie {
                        let announced = table[s]
                        remove(pid: pid)
                        counters.misses &+= 1
                        guard let entry = readProcess(pid) else {
                            insert(announced)
                            return announced.attribution
                        }
                        insert(entry)
                        if entry.pending { counters.imageUnresolved &+= 1 }
                        return entry.attribution
                    }
                } else {
                    let same =
                        !table[s].derived && now?.startTime == table[s].startTime
                        && (!table[s].exitSeen || now?.isZombie == true)
                    // No stat: reaped since `isGone` said otherwise, so still the cached process's pid.
                    if now != nil, !same {
                        counters.pidReuses &+= 1
                        remove(pid: pid)
                        return attributeMiss(pid: pid, ppid: ppid)
                    }
                }
            }
        }
        counters.hits &+= 1
        table.touch(s)
        if _slowPath(table.slots[s].pending) { return refreshPending(slot: s) }
        let attribution = table.slots[s].attribution
        if case .unknown = attribution { counters.unattributed &+= 1 }
        return attribution
    }

    // MARK: - Misses

    private func attributeMiss(pid: Int32, ppid: Int32) -> Attribution {
        counters.misses &+= 1
        if let entry = readProcess(pid) {
            insert(entry)
            if entry.pending { counters.imageUnresolved &+= 1 }
            return entry.attribution
        }
        let (attribution, pending) = throughParent(ppid)
        insert(ProcessTable.Slot(pid: pid, attribution: attribution, pending: pending, derived: true))
        if case .unknown = attribution {
            counters.unattributed &+= 1
        } else {
            counters.viaParent &+= 1
            if pending { counters.imageUnresolved &+= 1 }
        }
        return attribution
    }

    /// Reads `pid` now, with a watch on its exit opened first: the entry is
    /// `.watched` only when the process read is certainly the one watched. Nil
    /// when the process has exited (any cached entry of it then stops being
    /// trusted as live).
    private func readProcess(_ pid: Int32) -> ProcessTable.Slot? {
        if let s = table.slot(of: pid), table[s].liveness == .watched { table[s].liveness = .verify }
        let watching = proc.watchExit(pid: pid)
        counters.procReads &+= 1
        let readAt = proc.ticksSinceBoot()
        guard let snap = proc.snapshot(pid: pid), !Self.isUnplaceableZombie(snap) else {
            if watching { proc.unwatchExit(pid: pid) }
            return nil
        }
        var entry = slot(for: snap)
        entry.readAt = readAt
        if entry.liveness == .reread {
            if watching { proc.unwatchExit(pid: pid) }
        } else if watching && !proc.exitedSinceWatch(pid: pid) {
            entry.liveness = .watched
        } else {
            if watching { proc.unwatchExit(pid: pid) } else { counters.unwatched &+= 1 }
            entry.liveness = .verify
        }
        return entry
    }

    /// Whether `snap` is a zombie whose cgroup file names no container: on the
    /// cgroup v1 hierarchies an exited process reads as the root cgroup, which
    /// would make a container's process that exited (and that its parent
    /// leaves unreaped, at will) the host's. (The unified hierarchy keeps a
    /// zombie's path, so a zombie that names a container is that container's.)
    /// The same holds from the moment it begins to exit (`PF_EXITING`), while
    /// its state still reads as running: a process that makes its call and
    /// exits with a large address space is read in that window.
    static func isUnplaceableZombie(_ snap: ProcSnapshot) -> Bool {
        guard snap.stat.isZombie || snap.stat.isExiting else { return false }
        if case .host = ProcCgroupFile.classify(snap.cgroup) { return true }
        return false
    }

    /// The attribution of an exited process through its parent `ppid`.
    private func throughParent(_ ppid: Int32) -> (Attribution, pending: Bool) {
        guard ppid > 0 else { return (.unknown, false) }
        let parent: ProcessTable.Slot
        if let s = table.slot(of: ppid), table[s].liveness != .reread {
            table.touch(s)
            parent = table[s]
        } else {
            guard let entry = readProcess(ppid) else { return (.unknown, false) }
            parent = entry
            insert(parent)
        }
        // Started after the record was written: not the parent it names.
        if Self.started(parent) > recordLatestStart {
            counters.recordsBeforeTheirProcess &+= 1
            return (.unknown, false)
        }
        switch parent.attribution {
        case .container: return (parent.attribution, parent.pending)
        case .host: return parent.runtimeHelper || parent.liveness == .reread ? (.unknown, false) : (.host, false)
        case .unknown: return (.unknown, false)
        }
    }

    private func slot(for snap: ProcSnapshot) -> ProcessTable.Slot {
        var slot = ProcessTable.Slot(pid: snap.stat.pid, startTime: snap.stat.startTime)
        var verdict = ProcCgroupFile.classify(snap.cgroup)
        if verdict == .host, let ref = resolver.containerdTask(inCgroupFile: snap.cgroup) { verdict = .container(ref) }
        switch verdict {
        case .host:
            slot.attribution = .host
            slot.runtimeHelper = isRuntimeHelper(comm: snap.stat.comm)
            slot.runtimeLauncher = isRuntimeLauncher(comm: snap.stat.comm)
            if !runtimeIdentities.isEmpty {
                if runsRuntimeBinary(hostPid: snap.stat.pid) {
                    slot.runtimeBinary = true
                    slot.runtimeCreate = proc.arguments(pid: snap.stat.pid).map(Self.isCreate) ?? false
                }
                // A child of a runtime binary on the host is about to join a
                // container's cgroup (runc init; runc exec moves its process only
                // after setting it up): never keep "host" for it.
                let parentIsRuntime: Bool
                let parentIsHelper: Bool
                if let p = table.slot(of: snap.stat.ppid), table[p].startTime <= snap.stat.startTime, !table[p].derived {
                    parentIsRuntime = table[p].runtimeBinary
                    parentIsHelper = table[p].runtimeLauncher
                } else {
                    parentIsRuntime = snap.stat.ppid > 1 && runsRuntimeBinary(hostPid: snap.stat.ppid)
                    parentIsHelper =
                        snap.stat.ppid > 1
                        && (proc.stat(pid: snap.stat.ppid).map { isRuntimeLauncher(comm: $0.comm) } ?? false)
                }
                // A child of a runtime launcher (conmon, containerd-shim) is often
                // about to execute the runtime binary under the same pid and start
                // time (`runc create`): read it again at each event until it does,
                // so that the fact is learnt while runc create lives. (A host
                // process naming itself a launcher only makes its children cost a
                // /proc read per event; it never exempts anything.)
                if parentIsRuntime || (parentIsHelper && !slot.runtimeBinary) { slot.liveness = .reread }
            }
        case .container(let ref):
            let info = containerInfo(for: ref)
            slot.attribution = .container(info)
            slot.pending = !info.isResolved
            // Its parent is read now too when not cached (once): when that is
            // runc create, the fact must outlive it (see childOfRuntimeCreate).
            // One level only: a parent's own parent is not read from here.
            if !readingParent, snap.stat.ppid > 1, table.slot(of: snap.stat.ppid) == nil {
                readingParent = true
                defer { readingParent = false }
                if let parent = readProcess(snap.stat.ppid) { insert(parent) }
            }
            // Its parent not of its container: it may be its namespace's init (see `forked`).
            slot.foreignParent = hasForeignParent(snap.stat, containerID: ref.id)
        }
        return slot
    }

    /// Whether the parent of `stat` (a process of container `containerID`) is
    /// not of that container: on the host (the first process of a container,
    /// which is its pid namespace's init unless it joined another's namespace,
    /// or a `podman exec` process), or of another container (a process adopted
    /// by the init of a shared namespace). A parent gone meanwhile says nothing.
    private func hasForeignParent(_ stat: ProcStat, containerID: String) -> Bool {
        guard stat.ppid > 1 else { return true }
        if let p = table.slot(of: stat.ppid), !table[p].derived, table[p].startTime <= stat.startTime {
            guard let parentContainer = table[p].attribution.container?.id else { return true }
            guard parentContainer == containerID else {
                // Another container's process is its parent: that one adopted it.
                table[p].adoptsForeign = true
                return true
            }
            return false
        }
        // Not cached: unreadable (gone), or not read because this process is
        // read as a parent for its child (one level only); then its cgroup only.
        guard readingParent, let parent = proc.snapshot(pid: stat.ppid), parent.stat.startTime <= stat.startTime
        else { return false }
        counters.procReads &+= 1
        if case .container(let ref) = ProcCgroupFile.classify(parent.cgroup) { return ref.id != containerID }
        return true
    }

    private func insert(_ slot: ProcessTable.Slot) {
        if let evicted = table.put(slot) {
            proc.unwatchExit(pid: evicted)
            counters.processesEvicted &+= 1
        }
    }

    private func remove(pid: Int32) {
        table.remove(pid: pid)
        proc.unwatchExit(pid: pid)
    }

    // MARK: - Containers

    private func containerInfo(for ref: ContainerRef) -> ContainerInfo {
        if let record = containers[ref.id] {
            guard record.info.isResolved else { return retryResolve(id: ref.id, now: clock()) }
            // A new process of a container restarted since (its bundle rewritten): read it again.
            if resolver.isCurrent(record.info) { return record.info }
            if let info = resolver.resolve(ref) {
                counters.containersResolved &+= 1
                containers[ref.id]?.info = info
                return info
            }
            return record.info
        }
        if containers.count >= configuration.containerCapacity { trimContainers() }
        let now = clock()
        if let info = resolver.resolve(ref) {
            counters.containersResolved &+= 1
            containers[ref.id] = ContainerRecord(ref: ref, info: info, nextRetry: now)
            return info
        }
        counters.resolveFailures &+= 1
        let info = ContainerInfo.unresolved(ref)
        containers[ref.id] = ContainerRecord(
            ref: ref, info: info, nextRetry: now + configuration.resolveRetryInterval)
        return info
    }

    /// Tries again to resolve an unresolved container when its retry time has come.
    private func retryResolve(id: String, now: Double) -> ContainerInfo {
        guard let record = containers[id] else { preconditionFailure("retryResolve of unknown container \(id)") }
        guard !record.info.isResolved, now >= record.nextRetry else { return record.info }
        if let info = resolver.resolve(record.ref) {
            counters.containersResolved &+= 1
            containers[id]?.info = info
            return info
        }
        counters.resolveFailures &+= 1
        containers[id]?.nextRetry = now + configuration.resolveRetryInterval
        return record.info
    }

    private func refreshPending(slot s: Int) -> Attribution {
        guard case .container(let old) = table[s].attribution else {
            table[s].pending = false
            return table[s].attribution
        }
        let info = containerInfo(for: ContainerRef(runtime: old.runtime, id: old.id, podUID: old.pod?.uid))
        if info.isResolved {
            table[s].attribution = .container(info)
            table[s].pending = false
        } else {
            counters.imageUnresolved &+= 1
        }
        return table[s].attribution
    }

    /// Drops `ids` and every cached process attributed to them.
    private func evictContainers(_ ids: Set<String>) {
        var pids: [Int32] = []
        for s in 0..<table.capacity where table[s].occupied {
            if let info = table[s].attribution.container, ids.contains(info.id) { pids.append(table[s].pid) }
        }
        for pid in pids { remove(pid: pid) }
        for id in ids where containers.removeValue(forKey: id) != nil { counters.containersEvicted &+= 1 }
    }

    /// Bounds the container map: drops containers no cached process refers to.
    private func trimContainers() {
        var used = Set<String>()
        for s in 0..<table.capacity where table[s].occupied {
            if let info = table[s].attribution.container { used.insert(info.id) }
        }
        let unused = containers.keys.filter { !used.contains($0) }
        for id in unused {
            containers.removeValue(forKey: id)
            counters.containersEvicted &+= 1
        }
    }
}

