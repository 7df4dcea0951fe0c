import Glibc

/// Groups records into events by ``EventID``: records may interleave across
/// events; an event is complete at its EOE, at once for standalone types, at
/// PROCTITLE for log files, or after a timeout. The table of open events is
/// bounded; when full, the oldest event is handed on early and counted.
///
/// Records are kept in per-slot arenas, which grow only until they fit the
/// largest event seen; in steady state nothing is allocated. ``add(_:)``
/// copies a record at once. ``add(borrowing:)`` leaves it in the caller's
/// buffer, and ``detachBorrowed()`` copies what is still open before the
/// caller reuses that buffer: an event that completes within one buffer (most
/// of them) is never copied. Single-threaded: one assembler per reader.
public final class EventAssembler {
    /// The callback that receives each completed event.
    public typealias Handler = (AssembledEvent) -> Void

    /// One open event. All-zero bytes are an unused slot; ``open(_:)`` sets
    /// the id, arrival and age links.
    private struct Slot {
        var id = EventID(seconds: 0, milliseconds: 0, serial: 0)
        var arrival: UInt64 = 0
        var older: Int32 = 0
        var newer: Int32 = 0
        var arena: UnsafeMutablePointer<UInt8>? = nil
        var arenaCapacity = 0
        var arenaUsed = 0
        /// Bytes of the event's records, in the arena or borrowed (the limit's measure).
        var bytes = 0
        var records: UnsafeMutablePointer<StoredRecord>? = nil
        var recordCapacity = 0
        var recordCount = 0
        var dropped = 0
        /// Records still in the caller's buffer.
        var borrowed = 0
        /// Whether the slot is in `borrowing` (at most once).
        var listedAsBorrowing = false
    }

    /// The bounds and completion rules in force.
    public let configuration: AssemblerConfiguration
    /// What happened so far, serial gaps included as soon as they are found
    /// (live readers publish this after every batch; no ``flush()`` needed).
    public var statistics: AssemblyStatistics {
        var s = counters
        switch serials.source {
        case .kernelStream: s.serialGaps = serials.gaps
        case .file: s.serialsMissing = serials.gaps
        }
        s.serialJumps = serials.jumps
        return s
    }
    /// Whether an exit rule may be loaded in the kernel (starts as
    /// ``AssemblerConfiguration/exitRulesLoaded``). When false, a SECCOMP
    /// record that opens no event is an event on its own, handed on at once
    /// (``CompletionReason/loneSeccomp``): the kernel writes no SYSCALL record
    /// for its serial. Set it from the thread that calls ``add(_:)``; set it
    /// false only some time after the last exit rule went, since a syscall
    /// that entered while one was loaded still brings its SYSCALL record.
    public var exitRulesLoaded: Bool
    /// The assembler's clock, in milliseconds since the epoch.
    public private(set) var now: UInt64 = 0
    /// How many events are open now.
    public private(set) var openCount = 0

    private let handler: Handler
    private let slots: UnsafeMutablePointer<Slot>
    private var freeList: [Int32]
    private var oldest: Int32 = -1
    private var newest: Int32 = -1
    private let index: UnsafeMutablePointer<Int32>
    private let indexMask: Int
    private var counters = AssemblyStatistics()
    private var serials: SerialGapTracker
    /// Slots that took borrowed records since the last ``detachBorrowed()``.
    private let borrowing: UnsafeMutablePointer<Int32>
    private var borrowingCount = 0

    /// Creates an assembler that calls `handler` with every completed event.
    public init(configuration: AssemblerConfiguration = .init(), handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
        exitRulesLoaded = configuration.exitRulesLoaded
        serials = SerialGapTracker(source: configuration.serialSource)
        let capacity = configuration.maximumOpenEvents
        // All-zero bytes are an unused slot (open() sets the rest), so the table
        // comes zeroed from calloc: pages of slots never used are never touched.
        assert(_isPOD(Slot.self))
        slots = calloc(capacity, MemoryLayout<Slot>.stride)!.bindMemory(to: Slot.self, capacity: capacity)
        freeList = (0..<Int32(capacity)).reversed()
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = .allocate(capacity: size)
        index.initialize(repeating: -1, count: size)
        indexMask = size - 1
        borrowing = .allocate(capacity: capacity)
    }

    deinit {
        for i in 0..<configuration.maximumOpenEvents {
            slots[i].arena?.deallocate()
            slots[i].records?.deallocate()
        }
        free(slots)
        index.deallocate()
        borrowing.deallocate()
    }

    /// Adds one record, copying its bytes. Completed events (this one's,
    /// timed-out or evicted ones) are handed to the handler before this returns.
    public func add(_ record: AuditRecord) {
        add(record, borrowing: false)
    }

    /// Adds one record without copying it: its bytes must stay where they are
    /// until ``detachBorrowed()`` (or until the event is handed on, whichever
    /// comes first). Call ``detachBorrowed()`` before reusing the buffer.
    public func add(borrowing record: AuditRecord) {
        add(record, borrowing: true)
    }

    /// Copies the borrowed records of the events still open into the
    /// assembler's own storage: call it before reusing the buffer that
    /// records given to ``add(borrowing:)`` point into.
    public func detachBorrowed() {
        for i in 0..<borrowingCount {
            let s = Int(borrowing[i])
            slots[s].listedAsBorrowing = false
            guard slots[s].borrowed > 0, let records = slots[s].records else { continue }
            for r in 0..<slots[s].recordCount where records[r].borrowed {
                records[r].base = copyIntoArena(s, records[r].base, Int(records[r].length))
                records[r].borrowed = false
            }
            slots[s].borrowed = 0
        }
        borrowingCount = 0
    }

    @inline(__always)
    private func add(_ record: AuditRecord, borrowing: Bool) {
        counters.records &+= 1
        let type = record.type
        if !type.isDaemonMessage { serials.observe(record.id.serial) }
        if configuration.clock == .recordTime {
            let t = record.id.timestampMilliseconds
            if t > now { now = t }
        }
        expire()

        // Records of one event mostly arrive together: try the newest event
        // first. With no event open (a lone SECCOMP record's usual case) there
        // is nothing to look up.
        let found: Int32? =
            newest < 0 ? nil : (slots[Int(newest)].id == record.id ? newest : lookup(record.id))
        if type == .endOfEvent {
            guard let slot = found else {
                counters.orphanEndOfEvent &+= 1
                return
            }
            complete(slot, .endOfEvent)
            return
        }
        if type.isStandalone, found == nil {
            counters.events &+= 1
            handler(AssembledEvent(id: record.id, reason: .standalone, droppedRecords: 0, storage: .single(record)))
            return
        }
        if type == .seccomp, found == nil, !exitRulesLoaded {
            counters.events &+= 1
            handler(AssembledEvent(id: record.id, reason: .loneSeccomp, droppedRecords: 0, storage: .single(record)))
            return
        }
        let slot = found ?? open(record.id)
        append(record, to: slot, borrowing: borrowing)
        if configuration.completeOnProctitle, type == .proctitle {
            complete(slot, .proctitle)
        }
    }

    /// Moves the clock (for ``AssemblerConfiguration/Clock/external``) and
    /// completes the events whose timeout has passed.
    public func advanceClock(toMilliseconds time: UInt64) {
        if time > now { now = time }
        expire()
    }

    /// Completes every open event, oldest first (at the end of the input).
    public func flush() {
        while oldest >= 0 { complete(oldest, .flushed) }
        serials.finish()
    }

    /// Serial numbers that never arrived so far: loss in the kernel's stream,
    /// serials the file lacks in a log (see ``SerialGapTracker/Source``).
    public var serialGaps: UInt64 { serials.gaps }

    // MARK: - Slots

    private func expire() {
        let timeout = configuration.timeoutMilliseconds
        while oldest >= 0 {
            let arrival = slots[Int(oldest)].arrival
            guard now > arrival, now - arrival > timeout else { break }
            counters.timedOut &+= 1
            complete(oldest, .timeout)
        }
    }

    private func open(_ id: EventID) -> Int32 {
        if freeList.isEmpty {
            counters.evicted &+= 1
            complete(oldest, .evicted)
        }
        let slot = freeList.removeLast()
        let s = Int(slot)
        slots[s].id = id
        slots[s].arrival = now
        slots[s].arenaUsed = 0
        slots[s].bytes = 0
        slots[s].recordCount = 0
        slots[s].borrowed = 0
        slots[s].dropped = 0
        slots[s].older = newest
        slots[s].newer = -1
        if newest >= 0 { slots[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
        insert(id, slot)
        openCount += 1
        return slot
    }

    private func append(_ record: AuditRecord, to slot: Int32, borrowing: Bool) {
        let s = Int(slot)
        let length = record.raw.count
        guard slots[s].recordCount < configuration.maximumRecordsPerEvent,
            slots[s].bytes + length <= configuration.maximumBytesPerEvent
        else {
            slots[s].dropped += 1
            counters.droppedRecords &+= 1
            return
        }
        if slots[s].recordCount == slots[s].recordCapacity {
            let capacity = max(64, slots[s].recordCapacity * 2)
            let grown = UnsafeMutablePointer<StoredRecord>.allocate(capacity: capacity)
            if let old = slots[s].records {
                grown.moveInitialize(from: old, count: slots[s].recordCount)
                old.deallocate()
            }
            slots[s].records = grown
            slots[s].recordCapacity = capacity
        }
        let raw = record.raw.start
        let base: UnsafePointer<UInt8>
        if borrowing {
            base = raw
            slots[s].borrowed += 1
            if !slots[s].listedAsBorrowing {
                slots[s].listedAsBorrowing = true
                self.borrowing[borrowingCount] = slot
                borrowingCount += 1
            }
        } else {
            base = copyIntoArena(s, raw, length)
        }
        @inline(__always) func relative(_ view: ByteView) -> (Int32, Int32) {
            view.count == 0 ? (0, 0) : (Int32(view.start - raw), Int32(view.count))
        }
        let node = relative(record.node)
        let body = relative(record.body)
        let interpreted = relative(record.interpreted)
        (slots[s].records! + slots[s].recordCount).initialize(
            to: StoredRecord(
                type: record.type, borrowed: borrowing, base: base, length: Int32(length),
                nodeOffset: node.0, nodeLength: node.1, bodyOffset: body.0, bodyLength: body.1,
                interpretedOffset: interpreted.0, interpretedLength: interpreted.1))
        slots[s].recordCount += 1
        slots[s].bytes += length
    }

    /// Copies `length` bytes into slot `s`'s arena and returns where they are.
    /// When the arena grows, the records already in it are moved along.
    private func copyIntoArena(_ s: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int) -> UnsafePointer<UInt8> {
        if slots[s].arenaUsed + length > slots[s].arenaCapacity {
            // A slot's first arena holds any event of a few kernel-sized records
            // (MAX_AUDIT_MESSAGE_LENGTH is 8970), so that slots rarely grow and
            // the open-event table reaches steady state in one pass.
            var capacity = max(slots[s].arenaCapacity, 64 * 1024)
            while capacity < slots[s].arenaUsed + length { capacity <<= 1 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            if let old = slots[s].arena {
                grown.update(from: old, count: slots[s].arenaUsed)
                if let records = slots[s].records {
                    for r in 0..<slots[s].recordCount where !records[r].borrowed {
                        records[r].base = UnsafePointer(grown) + (records[r].base - UnsafePointer(old))
                    }
                }
                old.deallocate()
            }
            slots[s].arena = grown
            slots[s].arenaCapacity = capacity
        }
        let destination = slots[s].arena! + slots[s].arenaUsed
        destination.update(from: bytes, count: length)
        slots[s].arenaUsed += length
        return UnsafePointer(destination)
    }

    private func complete(_ slot: Int32, _ reason: CompletionReason) {
        let s = Int(slot)
        // Unlink from the age list and the index before calling out, so that
        // the handler sees a consistent assembler.
        let older = slots[s].older
        let newer = slots[s].newer
        if older >= 0 { slots[Int(older)].newer = newer } else { oldest = newer }
        if newer >= 0 { slots[Int(newer)].older = older } else { newest = older }
        remove(slots[s].id)
        openCount -= 1
        counters.events &+= 1
        if slots[s].recordCount > 0 {
            handler(
                AssembledEvent(
                    id: slots[s].id, reason: reason, droppedRecords: slots[s].dropped,
                    storage: .slot(UnsafePointer(slots[s].records!), slots[s].recordCount)))
        }
        // Nothing of the event is left to detach.
        slots[s].recordCount = 0
        slots[s].borrowed = 0
        freeList.append(slot)
    }

    // MARK: - Index (open addressing on the serial, linear probing, backward-shift deletion)

    @inline(__always)
    private func home(_ serial: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(serial) &* 0x9E37_79B9_7F4A_7C15) >> 32) & indexMask
    }

    private func lookup(_ id: EventID) -> Int32? {
        var i = home(id.serial)
        while true {
            let slot = index[i]
            if slot < 0 { return nil }
            if slots[Int(slot)].id == id { return slot }
            i = (i + 1) & indexMask
        }
    }

    private func insert(_ id: EventID, _ slot: Int32) {
        var i = home(id.serial)
        while index[i] >= 0 { i = (i + 1) & indexMask }
        index[i] = slot
    }

    private func remove(_ id: EventID) {
        var i = home(id.serial)
        while true {
            let slot = index[i]
            if slot < 0 { return }
            if slots[Int(slot)].id == id { break }
            i = (i + 1) & indexMask
        }
        // Backward-shift: move later entries of the probe run into the hole.
        var hole = i
        var j = (i + 1) & indexMask
        while index[j] >= 0 {
            let h = home(slots[Int(index[j])].id.serial)
            // Entry j may move to the hole if its home is not in (hole, j].
            let between = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !between {
                index[hole] = index[j]
                hole = j
            }
            j = (j + 1) & indexMask
        }
        index[hole] = -1
    }
}
