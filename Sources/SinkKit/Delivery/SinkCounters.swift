import Synchronization

/// Delivery counters of one sink, readable from any thread.
public final class SinkCounters: Sendable {
    let sentCount = Atomic<Int>(0)
    let spooledCount = Atomic<Int>(0)
    let droppedCount = Atomic<Int>(0)
    let errorCount = Atomic<Int>(0)
    let foldedCount = Atomic<Int>(0)
    let queueDepthValue = Atomic<Int>(0)
    let spoolBytesValue = Atomic<Int>(0)
    let resentCount = Atomic<Int>(0)

    public init() {}

    /// A consistent-enough copy of the counters.
    public var snapshot: Snapshot {
        Snapshot(
            sent: sentCount.load(ordering: .relaxed), spooled: spooledCount.load(ordering: .relaxed),
            dropped: droppedCount.load(ordering: .relaxed), errors: errorCount.load(ordering: .relaxed),
            folded: foldedCount.load(ordering: .relaxed), queueDepth: queueDepthValue.load(ordering: .relaxed),
            spoolBytes: spoolBytesValue.load(ordering: .relaxed), resent: resentCount.load(ordering: .relaxed))
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Hashable, CustomStringConvertible {
        /// Messages handed to the transport (minus those found undelivered and re-queued).
        public var sent: Int
        /// Messages written to the on-disk spool.
        public var spooled: Int
        /// Violations lost: queue and spool both full, or a message no transport can carry.
        public var dropped: Int
        /// Transport and spool failures (each connection loss counts once).
        public var errors: Int
        /// Violations folded into a summary by the throttle (not lost).
        public var folded: Int
        /// Violations waiting in memory.
        public var queueDepth: Int
        /// Bytes on disk in the spool.
        public var spoolBytes: Int
        /// Messages re-sent because the connection died before the peer acknowledged them.
        public var resent: Int

        public var description: String {
            "{\"sent\":\(sent),\"spooled\":\(spooled),\"dropped\":\(dropped),\"errors\":\(errors),\"folded\":\(folded),\"queue_depth\":\(queueDepth),\"spool_bytes\":\(spoolBytes),\"resent\":\(resent)}"
        }
    }
}
