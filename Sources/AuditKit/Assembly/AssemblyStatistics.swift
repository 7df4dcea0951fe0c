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
    /// Serials of the kernel's stream that never arrived: events lost on the
    /// way (``SerialGapTracker/Source/kernelStream``; always 0 for a file).
    public var serialGaps: UInt64 = 0
    /// Serials a log file lacks between two of its own within the tracker's
    /// window: what a filter or its writer left out, not proof of loss
    /// (``SerialGapTracker/Source/file``; always 0 live). At most 4,095 per serial read.
    public var serialsMissing: UInt64 = 0
    /// Serial moves too far to account for: counter restarts (a reboot) and,
    /// in a file, forward jumps past the window.
    public var serialJumps: UInt64 = 0

    public init() {}
}
