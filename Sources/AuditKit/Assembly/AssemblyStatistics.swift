/// Counters kept by ``EventAssembler``. All are totals since it was created.
public struct AssemblyStatistics: Sendable, Equatable {
    /// Records added.
    public var records: UInt64 = 0
    /// Events completed, for any reason.
    public var events: UInt64 = 0
    /// Events completed early because the open-event table was full.
    public var evicted: UInt64 = 0
    /// Events completed because their end never came within the timeout.
    public var timedOut: UInt64 = 0
    /// Records dropped because their event was over its record or byte limit.
    public var droppedRecords: UInt64 = 0
    /// EOE records that arrived for no open event (after a timeout, say).
    public var orphanEndOfEvent: UInt64 = 0
    /// Serials never seen: possible loss (see ``SerialGapTracker``).
    public var serialGaps: UInt64 = 0

    public init() {}
}
