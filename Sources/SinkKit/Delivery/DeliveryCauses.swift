/// Why a sink lost a violation. Every loss is counted under one cause
/// (``SinkCounters``), shown in the metrics and the statistics line.
public enum DropCause: String, CaseIterable, Sendable, Hashable {
    /// The in-memory queue was full when the violation was submitted.
    case queueFull = "queue_full"
    /// The receiver was unreachable and the spool had no room left.
    case spoolFull = "spool_full"
    /// The receiver was unreachable and the spool could not be written.
    case spoolError = "spool_error"
    /// The receiver was unreachable and no spool is configured (in `replay`:
    /// and the memory that holds messages before the spool was full).
    case noSpool = "no_spool"
    /// The message is larger than the transport can carry.
    case tooLarge = "too_large"
    /// The violation was submitted after the sink began shutting down.
    case stopped
    /// The sink stopped with the message still held in memory: its receiver did
    /// not come back within the time it was given (`replay --timeout`).
    case timeout
}

/// Why the throttle folded a violation into a later summary instead of sending
/// it at once. Folded violations are not lost: each summary carries the first
/// one's evidence, their count and their span.
public enum FoldCause: String, CaseIterable, Sendable, Hashable {
    /// The same finding again within its window.
    case repeats
    /// A new finding while the rate cap was spent (sent as a summary once it allows).
    case rateLimited = "rate_limited"
    /// A new finding of a container, image and syscall whose distinct budget was spent.
    case distinctOverflow = "distinct_overflow"
    /// A violation of a new key while the throttle's table was full.
    case tableFull = "table_full"
}
