/// Attributes a syscall's pid to the host or to a container and its image.
///
/// The agent calls ``attribute(pid:ppid:)`` for every event on its hot path:
/// a cached process costs one hash lookup and allocates nothing. An unknown
/// pid is read from the ``ProcSource`` once (stat + cgroup) and cached under
/// pid and start time. A pid that has already exited is attributed through its
/// recorded parent when the parent is known; otherwise the answer is
/// `.unknown` and counted, never guessed.
///
/// Call ``processSeen(pid:ppid:)`` as early as a new pid shows up (the return
/// value of clone/fork/vfork, an execve) so that short-lived processes are
/// cached while they still exist, and ``sweep(maxProcesses:)`` every few seconds off the hot
/// path: it drops entries whose pid was reused, retries unresolved images and
/// evicts containers removed from the runtime state.
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
        /// `comm` prefixes of container runtime helpers on the host. An exited child
        /// of one of these may have been a container's first process, so it is not
        /// attributed to the host through such a parent.
        public var runtimeHelperPrefixes: [String] = ["runc", "crun", "conmon", "containerd-shim", "youki", "runsc"]

        public init() {}
    }

    // Unchecked exclusivity: the hot path touches these on every event, and the
    // type is single-threaded by contract (see the type's documentation).

    /// What happened so far.
    @exclusivity(unchecked) public private(set) var counters = AttributionCounters()

    private let proc: any ProcSource
    private let resolver: ContainerResolver
    private let configuration: Configuration
    private let clock: SecondsClock
    @exclusivity(unchecked) private var table: ProcessTable
    private var containers: [String: ContainerRecord] = [:]
    private var sweepCursor = 0

    private struct ContainerRecord {
        var ref: ContainerRef
        var info: ContainerInfo
        var nextRetry: Double
        var missingSince: Double?
    }

    public init(
        proc: any ProcSource = ProcFileSystem(), resolver: ContainerResolver = ContainerResolver(),
        configuration: Configuration = Configuration(), clock: @escaping SecondsClock = monotonicSeconds
    ) {
        self.proc = proc
        self.resolver = resolver
        self.configuration = configuration
        self.clock = clock
        self.table = ProcessTable(capacity: configuration.processCapacity)
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
    /// from the SYSCALL record; pass 0 when the parent is not known).
    @inline(__always)
    public func attribute(pid: Int32, ppid: Int32) -> Attribution {
        if let s = table.slot(of: pid) {
            counters.hits &+= 1
            table.touch(s)
            if _slowPath(table.slots[s].pending) { return refreshPending(slot: s) }
            let attribution = table.slots[s].attribution
            if case .unknown = attribution { counters.unattributed &+= 1 }
            return attribution
        }
        return attributeMiss(pid: pid, ppid: ppid)
    }

    // MARK: - Filling the cache

    /// Records `pid` now, while it still exists (call when a new pid appears:
    /// clone/fork/vfork results, execve). Reads its stat and cgroup once; an
    /// entry cached under the same start time is kept, one under another start
    /// time (a reused pid) is replaced. If the process has already exited, it
    /// is attributed through `ppid` when that is known.
    public func processSeen(pid: Int32, ppid: Int32 = 0) {
        guard pid > 0 else { return }
        counters.procReads &+= 1
        guard let snap = proc.snapshot(pid: pid) else {
            if table.slot(of: pid) == nil, ppid > 0 {
                let (attribution, pending) = throughParent(ppid)
                insert(ProcessTable.Slot(pid: pid, attribution: attribution, pending: pending, derived: true))
            }
            return
        }
        if let s = table.slot(of: pid) {
            if !table[s].derived && table[s].startTime == snap.stat.startTime {
                table.touch(s)
                return
            }
            if !table[s].derived { counters.pidReuses &+= 1 }
        }
        insert(slot(for: snap))
    }

    /// Re-reads `pid` now, even when it is cached under the same start time:
    /// for a process that moves between cgroups. A container runtime's bootstrap
    /// process (runc init) starts on the host and joins the container's cgroup
    /// before it executes the image's command, keeping its pid and start time;
    /// an answer cached before the join would otherwise stay "host". When the
    /// process is gone, this is ``processSeen(pid:ppid:)``.
    public func refresh(pid: Int32, ppid: Int32 = 0) {
        guard pid > 0 else { return }
        counters.procReads &+= 1
        guard let snap = proc.snapshot(pid: pid) else { return processSeen(pid: pid, ppid: ppid) }
        insert(slot(for: snap))
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

    // MARK: - Housekeeping

    /// Re-checks the cache against `/proc` and the runtime state. Call every few
    /// seconds, off the hot path; it reads the stat of every cached live process.
    /// - drops processes whose pid now belongs to another process (so the next event re-reads it);
    /// - retries unresolved containers (rate-limited);
    /// - evicts containers gone from the runtime state for longer than `removalGrace`, and their processes.
    ///
    /// - Parameter maxProcesses: how many cache slots to re-check in this call;
    ///   the next call continues where this one stopped, so a large cache can be
    ///   swept a slice at a time (each occupied slot costs one stat read).
    public func sweep(maxProcesses: Int = .max) {
        let now = clock()
        var reused: [Int32] = []
        let steps = min(maxProcesses, table.capacity)
        for _ in 0..<steps {
            let s = sweepCursor
            sweepCursor = (sweepCursor + 1) % table.capacity
            guard table[s].occupied else { continue }
            let slot = table[s]
            if let stat = proc.stat(pid: slot.pid) {
                // Alive: a different process than the one cached when the entry was
                // derived (no start time), had exited, or started at another time.
                if slot.derived || slot.exited || stat.startTime != slot.startTime { reused.append(slot.pid) }
            } else {
                table[s].exited = true
            }
        }
        for pid in reused {
            table.remove(pid: pid)
            counters.pidReuses &+= 1
        }
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

    // MARK: - Misses

    private func attributeMiss(pid: Int32, ppid: Int32) -> Attribution {
        counters.misses &+= 1
        counters.procReads &+= 1
        if let snap = proc.snapshot(pid: pid) {
            let entry = slot(for: snap)
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

    /// The attribution of an exited process through its parent `ppid`.
    private func throughParent(_ ppid: Int32) -> (Attribution, pending: Bool) {
        guard ppid > 0 else { return (.unknown, false) }
        let parent: ProcessTable.Slot
        if let s = table.slot(of: ppid) {
            table.touch(s)
            parent = table[s]
        } else {
            counters.procReads &+= 1
            guard let snap = proc.snapshot(pid: ppid) else { return (.unknown, false) }
            parent = slot(for: snap)
            insert(parent)
        }
        switch parent.attribution {
        case .container: return (parent.attribution, parent.pending)
        case .host: return parent.runtimeHelper ? (.unknown, false) : (.host, false)
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
            slot.runtimeHelper = configuration.runtimeHelperPrefixes.contains { snap.stat.comm.hasPrefix($0) }
        case .container(let ref):
            let info = containerInfo(for: ref)
            slot.attribution = .container(info)
            slot.pending = !info.isResolved
        }
        return slot
    }

    private func insert(_ slot: ProcessTable.Slot) {
        if table.put(slot) { counters.processesEvicted &+= 1 }
    }

    // MARK: - Containers

    private func containerInfo(for ref: ContainerRef) -> ContainerInfo {
        if let record = containers[ref.id] {
            return record.info.isResolved ? record.info : retryResolve(id: ref.id, now: clock())
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
        for pid in pids { table.remove(pid: pid) }
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
