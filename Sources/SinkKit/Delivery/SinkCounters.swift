import Synchronization

/// Delivery counters of one sink, readable from any thread.
public final class SinkCounters: Sendable {
    let sentCount = Atomic<Int>(0)
    let spooledCount = Atomic<Int>(0)
    let errorCount = Atomic<Int>(0)
    let queueDepthValue = Atomic<Int>(0)
    let spoolBytesValue = Atomic<Int>(0)
    let resentCount = Atomic<Int>(0)
    let heldCount = Atomic<Int>(0)
    let unconfirmedCount = Atomic<Int>(0)
    let spoolMessagesValue = Atomic<Int>(0)
    // Drops, by cause (``DropCause``).
    let droppedQueueFull = Atomic<Int>(0)
    let droppedSpoolFull = Atomic<Int>(0)
    let droppedSpoolError = Atomic<Int>(0)
    let droppedNoSpool = Atomic<Int>(0)
    let droppedTooLarge = Atomic<Int>(0)
    let droppedStopped = Atomic<Int>(0)
    let droppedTimeout = Atomic<Int>(0)
    // Folds, by cause (``FoldCause``), copied from the sink thread's throttle.
    let foldedRepeats = Atomic<Int>(0)
    let foldedRateLimited = Atomic<Int>(0)
    let foldedDistinctOverflow = Atomic<Int>(0)
    let foldedTableFull = Atomic<Int>(0)

    public init() {}

    /// Counts `n` violations lost for `cause`.
    func drop(_ cause: DropCause, _ n: Int = 1) {
        switch cause {
        case .queueFull: droppedQueueFull.add(n, ordering: .relaxed)
        case .spoolFull: droppedSpoolFull.add(n, ordering: .relaxed)
        case .spoolError: droppedSpoolError.add(n, ordering: .relaxed)
        case .noSpool: droppedNoSpool.add(n, ordering: .relaxed)
        case .tooLarge: droppedTooLarge.add(n, ordering: .relaxed)
        case .stopped: droppedStopped.add(n, ordering: .relaxed)
        case .timeout: droppedTimeout.add(n, ordering: .relaxed)
        }
    }

    /// Publishes the throttle's fold counts.
    func storeFolded(_ byCause: [FoldCause: Int]) {
        foldedRepeats.store(byCause[.repeats] ?? 0, ordering: .relaxed)
        foldedRateLimited.store(byCause[.rateLimited] ?? 0, ordering: .relaxed)
        foldedDistinctOverflow.store(byCause[.distinctOverflow] ?? 0, ordering: .relaxed)
        foldedTableFull.store(byCause[.tableFull] ?? 0, ordering: .relaxed)
    }

    private func dropped(_ cause: DropCause) -> Int {
        switch cause {
        case .queueFull: droppedQueueFull.load(ordering: .relaxed)
        case .spoolFull: droppedSpoolFull.load(ordering: .relaxed)
        case .spoolError: droppedSpoolError.load(ordering: .relaxed)
        case .noSpool: droppedNoSpool.load(ordering: .relaxed)
        case .tooLarge: droppedTooLarge.load(ordering: .relaxed)
        case .stopped: droppedStopped.load(ordering: .relaxed)
        case .timeout: droppedTimeout.load(ordering: .relaxed)
        }
    }

    private func folded(_ cause: FoldCause) -> Int {
        switch cause {
        case .repeats: foldedRepeats.load(ordering: .relaxed)
        case .rateLimited: foldedRateLimited.load(ordering: .relaxed)
        case .distinctOverflow: foldedDistinctOverflow.load(ordering: .relaxed)
        case .tableFull: foldedTableFull.load(ordering: .relaxed)
        }
    }

    /// A consistent-enough copy of the counters.
    public var snapshot: Snapshot {
        var s = Snapshot(
            sent: sentCount.load(ordering: .relaxed), spooled: spooledCount.load(ordering: .relaxed),
            errors: errorCount.load(ordering: .relaxed), queueDepth: queueDepthValue.load(ordering: .relaxed),
            spoolBytes: spoolBytesValue.load(ordering: .relaxed), resent: resentCount.load(ordering: .relaxed),
            held: heldCount.load(ordering: .relaxed), unconfirmed: unconfirmedCount.load(ordering: .relaxed),
            spoolMessages: spoolMessagesValue.load(ordering: .relaxed))
        for cause in DropCause.allCases { s.droppedByCause[cause] = dropped(cause) }
        for cause in FoldCause.allCases { s.foldedByCause[cause] = folded(cause) }
        return s
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Hashable, CustomStringConvertible {
        /// Messages handed to the transport (minus those found undelivered and re-queued).
        public var sent: Int
        /// Messages written to the on-disk spool.
        public var spooled: Int
        /// Transport and spool failures (each connection loss counts once).
        public var errors: Int
        /// Violations waiting in memory.
        public var queueDepth: Int
        /// Bytes on disk in the spool.
        public var spoolBytes: Int
        /// Messages re-sent because the connection died before the peer acknowledged them.
        public var resent: Int
        /// Messages held in memory while the receiver could not be reached
        /// (`replay`, ahead of the spool).
        public var held: Int
        /// Messages the receiver's kernel acknowledged on a TCP or TLS connection
        /// that then broke: whether the receiver itself kept them cannot be known
        /// without application acknowledgements (RELP has them). Possibly lost.
        public var unconfirmed: Int
        /// Messages left in the spool when the sink stopped (counted at shutdown;
        /// delivered by the next sink on the same spool).
        public var spoolMessages: Int
        /// Violations lost, by cause (every cause present, 0 when none). A lost
        /// summary counts the violations it stood for; a message lost from the
        /// spool (too large to send) or unacknowledged at a connection loss counts one.
        public var droppedByCause: [DropCause: Int]
        /// Violations folded into a summary by the throttle (not lost), by cause.
        public var foldedByCause: [FoldCause: Int]

        public init(
            sent: Int = 0, spooled: Int = 0, errors: Int = 0, queueDepth: Int = 0, spoolBytes: Int = 0, resent: Int = 0,
            held: Int = 0, unconfirmed: Int = 0, spoolMessages: Int = 0, droppedByCause: [DropCause: Int] = [:], foldedByCause: [FoldCause: Int] = [:]
        ) {
            self.sent = sent
            self.spooled = spooled
            self.errors = errors
            self.queueDepth = queueDepth
            self.spoolBytes = spoolBytes
            self.resent = resent
            self.held = held
            self.unconfirmed = unconfirmed
            self.spoolMessages = spoolMessages
            self.droppedByCause = Dictionary(uniqueKeysWithValues: DropCause.allCases.map { ($0, droppedByCause[$0] ?? 0) })
            self.foldedByCause = Dictionary(uniqueKeysWithValues: FoldCause.allCases.map { ($0, foldedByCause[$0] ?? 0) })
        }

        /// Violations lost, all causes.
        public var dropped: Int { droppedByCause.values.reduce(0, +) }
        /// Violations folded into a summary, all causes.
        public var folded: Int { foldedByCause.values.reduce(0, +) }

        /// Adds another sink's counters to these.
        public mutating func add(_ other: Snapshot) {
            sent += other.sent
            spooled += other.spooled
            errors += other.errors
            queueDepth += other.queueDepth
            spoolBytes += other.spoolBytes
            resent += other.resent
            held += other.held
            unconfirmed += other.unconfirmed
            spoolMessages += other.spoolMessages
            for (cause, n) in other.droppedByCause { droppedByCause[cause, default: 0] += n }
            for (cause, n) in other.foldedByCause { foldedByCause[cause, default: 0] += n }
        }

        public var description: String {
            let drops = DropCause.allCases.map { "\"\($0.rawValue)\":\(droppedByCause[$0] ?? 0)" }.joined(separator: ",")
            let folds = FoldCause.allCases.map { "\"\($0.rawValue)\":\(foldedByCause[$0] ?? 0)" }.joined(separator: ",")
            return "{\"sent\":\(sent),\"spooled\":\(spooled),\"dropped\":\(dropped),\"errors\":\(errors),\"folded\":\(folded),\"queue_depth\":\(queueDepth),\"spool_bytes\":\(spoolBytes),\"resent\":\(resent),\"held\":\(held),\"unconfirmed\":\(unconfirmed),\"spool_messages\":\(spoolMessages),"
                + "\"dropped_by_cause\":{\(drops)},\"folded_by_cause\":{\(folds)}}"
        }
    }
}
