/// The bounded cache of processes seen: pid → (start time, attribution), with
/// CLOCK (second-chance) eviction when full. A hit is one ``PidIndex`` lookup
/// and a flag write; nothing is allocated after `init`.
struct ProcessTable {
    /// One cached process.
    struct Slot {
        var pid: Int32 = 0
        /// Start time from `/proc/PID/stat`; 0 for a process known only through its parent.
        var startTime: UInt64 = 0
        var attribution: Attribution = .unknown
        /// Set on every hit; cleared by the CLOCK hand.
        var referenced = false
        var occupied = false
        /// The container's image is not resolved yet: retry (rate-limited) on hits.
        var pending = false
        /// Attributed through the parent: the process had exited when first seen,
        /// or (with `announced`) it was cached from its fork announcement.
        var derived = false
        /// Cached from the kernel's announcement of its fork, as its parent's
        /// container: kept until the pid's next fork, read from `/proc` at its
        /// first record while it lives.
        var announced = false
        /// A container process whose parent is not a process of its container
        /// (read from `/proc`): its pid namespace's init (whose parent is on the
        /// host), which adopts the orphans of every container sharing the
        /// namespace. A child announced as its child may have been made by
        /// another container's process (CLONE_PARENT), so it is read at its fork.
        var foreignParent = false
        /// A container process seen with a child of another container (a pid
        /// namespace's init that adopted it): a child announced as its own and
        /// gone before it was read is not taken for its container.
        var adoptsForeign = false
        /// A container runtime helper (runc, conmon, containerd-shim…): its exited children are not attributed to the host.
        var runtimeHelper = false
        /// A host process that starts runtime binaries as its children (conmon, a containerd shim).
        var runtimeLauncher = false
        /// How far the cached answer can be trusted without looking at `/proc`.
        var liveness: Liveness = .verify
        /// Checked once and found not to be a container runtime's bootstrap (see
        /// ``Attributor/isRuntimeBootstrap(pid:ppid:)``); permanent for this process.
        var bootstrapRuledOut = false
        /// A host process executing a container runtime binary (by device and inode).
        var runtimeBinary = false
        /// ... as `create` (runc create, crun create): it exits before the
        /// container's command may run, so no child of it ever runs the image's code.
        var runtimeCreate = false
        /// Its exit was collected (pidfd): the pid alive again, and not as this
        /// process's zombie, is another process whatever its start time says.
        var exitSeen = false
        /// When the process was read (``ProcSource/ticksSinceBoot()``): it was alive then.
        var readAt: UInt64 = 0
        /// For an entry without a start time (`derived`): a time (ticks since
        /// boot) the process certainly started after, up to a few microseconds
        /// (an announced child: the previous read of the announcements); 0: none known.
        var bornAfter: UInt64 = 0
        /// When its exit was collected (with `exitSeen`): it had exited by then. A
        /// process started later than that was never its child.
        var exitBy: UInt64 = 0
    }

    /// Whether a cached answer may be given without looking at the process again.
    enum Liveness: UInt8 {
        /// A live process whose exit is watched: the answer holds until its exit
        /// is collected (once per batch, before the batch is evaluated).
        case watched
        /// Exited, known only through its parent, or alive without an exit watch:
        /// on each use, the pid is checked to be still gone (or still the same process).
        case verify
        /// A host process started by a container runtime binary (runc init before
        /// it joins the container's cgroup): read again on each use.
        case reread
    }

    private(set) var slots: [Slot]
    let index: PidIndex
    private var hand = 0
    private var freeSlots: [Int]

    var capacity: Int { slots.count }
    var count: Int { index.count }

    init(capacity: Int) {
        precondition(capacity > 0, "process cache capacity must be positive")
        slots = Array(repeating: Slot(), count: capacity)
        index = PidIndex(maxCount: capacity)
        freeSlots = Array((0..<capacity).reversed())
    }

    @inline(__always)
    func slot(of pid: Int32) -> Int? { index.get(pid) }

    subscript(slot: Int) -> Slot {
        get { slots[slot] }
        _modify { yield &slots[slot] }
    }

    /// Marks `slot` as recently used.
    @inline(__always)
    mutating func touch(_ slot: Int) { slots[slot].referenced = true }

    /// `slot`'s answer when it may be given as it is (a watched live process
    /// whose image is resolved, started by `latestStart`: see
    /// ``RecordClock``), marking the slot used; nil otherwise. Read in
    /// place: the hot path copies no slot (each copy retains its container).
    @inline(__always)
    mutating func hit(_ slot: Int, startedBy latestStart: UInt64 = .max) -> Attribution? {
        // Field by field through a pointer: the array's subscript (and the
        // buffer's) copied the whole slot here, a retain and release of its container.
        slots.withUnsafeMutableBufferPointer { slots in
            let entry = slots.baseAddress! + slot
            guard entry.pointer(to: \.liveness)!.pointee == .watched, !entry.pointer(to: \.pending)!.pointee,
                entry.pointer(to: \.startTime)!.pointee <= latestStart
            else { return nil }
            entry.pointer(to: \.referenced)!.pointee = true
            return entry.pointer(to: \.attribution)!.pointee
        }
    }

    /// Inserts or replaces the entry for `slot.pid`; returns the pid of another entry evicted to make room.
    @discardableResult
    mutating func put(_ entry: Slot) -> Int32? {
        var entry = entry
        entry.occupied = true
        entry.referenced = true
        if let s = index.get(entry.pid) {
            slots[s] = entry
            return nil
        }
        var evicted: Int32?
        let s: Int
        if let free = freeSlots.popLast() {
            s = free
        } else {
            s = victim()
            index.remove(slots[s].pid)
            evicted = slots[s].pid
        }
        slots[s] = entry
        index.set(entry.pid, s)
        return evicted
    }

    /// Removes the entry for `pid`, if any.
    mutating func remove(pid: Int32) {
        guard let s = index.get(pid) else { return }
        index.remove(pid)
        slots[s] = Slot()
        freeSlots.append(s)
    }

    /// The CLOCK hand: the first slot not referenced since the hand last passed.
    private mutating func victim() -> Int {
        while true {
            let s = hand
            hand = (hand + 1) % slots.count
            if slots[s].referenced {
                slots[s].referenced = false
            } else {
                return s
            }
        }
    }
}
