import Glibc

/// Groups records into events by ``EventID``: records may interleave across
/// events; an event is complete at its EOE, at once for standalone types, at
/// PROCTITLE for log files, or after a timeout. The table of open events is
/// bounded; when full, the oldest event is handed on early and counted.
///
/// Records are copied into per-slot arenas (the receive buffer is reused for
/// the next batch), which grow only until they fit the largest event seen; in
/// steady state nothing is allocated. Single-threaded: one assembler per reader.
public final class EventAssembler {
    /// The callback that receives each completed event.
    public typealias Handler = (AssembledEvent) -> Void

    private struct Slot {
        var id = EventID(seconds: 0, milliseconds: 0, serial: 0)
        var arrival: UInt64 = 0
        var older: Int32 = -1
        var newer: Int32 = -1
        var arena: UnsafeMutablePointer<UInt8>? = nil
        var arenaCapacity = 0
        var arenaUsed = 0
        var records: UnsafeMutablePointer<StoredRecord>? = nil
        var recordCapacity = 0
        var recordCount = 0
        var dropped = 0
    }

    /// The bounds and completion rules in force.
    public let configuration: AssemblerConfiguration
    /// What happened so far.
    public private(set) var statistics = AssemblyStatistics()
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
    private var serials = SerialGapTracker()

    /// Creates an assembler that calls `handler` with every completed event.
    public init(configuration: AssemblerConfiguration = .init(), handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
        let capacity = configuration.maximumOpenEvents
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Slot(), count: capacity)
        freeList = (0..<Int32(capacity)).reversed()
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = .allocate(capacity: size)
        index.initialize(repeating: -1, count: size)
        indexMask = size - 1
    }

    deinit {
        for i in 0..<configuration.maximumOpenEvents {
            slots[i].arena?.deallocate()
            slots[i].records?.deallocate()
        }
        slots.deinitialize(count: configuration.maximumOpenEvents)
        slots.deallocate()
        index.deallocate()
    }

    /// Adds one record. Completed events (this one's, timed-out or evicted
    /// ones) are handed to the handler before this returns.
    public func add(_ record: AuditRecord) {
        statistics.records &+= 1
        let type = record.type
        if !type.isDaemonMessage { serials.observe(record.id.serial) }
        if configuration.clock == .recordTime {
            let t = record.id.timestampMilliseconds
            if t > now { now = t }
        }
        expire()

        // Records of one event mostly arrive together: try the newest event first.
        let found = newest >= 0 && slots[Int(newest)].id == record.id ? newest : lookup(record.id)
        if type == .endOfEvent {
            guard let slot = found else {
                statistics.orphanEndOfEvent &+= 1
                return
            }
            complete(slot, .endOfEvent)
            return
        }
        if type.isStandalone, found == nil {
            statistics.events &+= 1
            handler(AssembledEvent(id: record.id, reason: .standalone, droppedRecords: 0, storage: .single(record)))
            return
        }
        let slot = found ?? open(record.id)
        append(record, to: slot)
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
        statistics.serialGaps = serials.gaps
    }

    /// Serial numbers that never arrived so far (possible loss).
    public var serialGaps: UInt64 { serials.gaps }

    // MARK: - Slots

    private func expire() {
        let timeout = configuration.timeoutMilliseconds
        while oldest >= 0 {
            let arrival = slots[Int(oldest)].arrival
            guard now > arrival, now - arrival > timeout else { break }
            statistics.timedOut &+= 1
            complete(oldest, .timeout)
        }
    }

    private func open(_ id: EventID) -> Int32 {
        if freeList.isEmpty {
            statistics.evicted &+= 1
            complete(oldest, .evicted)
        }
        let slot = freeList.removeLast()
        let s = Int(slot)
        slots[s].id = id
        slots[s].arrival = now
        slots[s].arenaUsed = 0
        slots[s].recordCount = 0
        slots[s].dropped = 0
        slots[s].older = newest
        slots[s].newer = -1
        if newest >= 0 { slots[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
        insert(id, slot)
        openCount += 1
        return slot
    }

    private func append(_ record: AuditRecord, to slot: Int32) {
        let s = Int(slot)
        let length = record.raw.count
        guard slots[s].recordCount < configuration.maximumRecordsPerEvent,
            slots[s].arenaUsed + length <= configuration.maximumBytesPerEvent
        else {
            slots[s].dropped += 1
            statistics.droppedRecords &+= 1
            return
        }
        if slots[s].arenaUsed + length > slots[s].arenaCapacity {
            // A slot's first arena holds any event of a few kernel-sized records
            // (MAX_AUDIT_MESSAGE_LENGTH is 8970), so that slots rarely grow and
            // the open-event table reaches steady state in one pass.
            var capacity = max(slots[s].arenaCapacity, 64 * 1024)
            while capacity < slots[s].arenaUsed + length { capacity <<= 1 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            if let old = slots[s].arena {
                grown.update(from: old, count: slots[s].arenaUsed)
                old.deallocate()
            }
            slots[s].arena = grown
            slots[s].arenaCapacity = capacity
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
        let offset = slots[s].arenaUsed
        let raw = record.raw.start
        (slots[s].arena! + offset).update(from: raw, count: length)
        @inline(__always) func relative(_ view: ByteView) -> (Int32, Int32) {
            view.count == 0 ? (0, 0) : (Int32(view.start - raw), Int32(view.count))
        }
        let node = relative(record.node)
        let body = relative(record.body)
        let interpreted = relative(record.interpreted)
        (slots[s].records! + slots[s].recordCount).initialize(
            to: StoredRecord(
                type: record.type, offset: Int32(offset), length: Int32(length),
                nodeOffset: node.0, nodeLength: node.1, bodyOffset: body.0, bodyLength: body.1,
                interpretedOffset: interpreted.0, interpretedLength: interpreted.1))
        slots[s].recordCount += 1
        slots[s].arenaUsed += length
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
        statistics.events &+= 1
        if slots[s].recordCount > 0 {
            handler(
                AssembledEvent(
                    id: slots[s].id, reason: reason, droppedRecords: slots[s].dropped,
                    storage: .slot(UnsafePointer(slots[s].records!), slots[s].recordCount, UnsafePointer(slots[s].arena!))))
        }
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
