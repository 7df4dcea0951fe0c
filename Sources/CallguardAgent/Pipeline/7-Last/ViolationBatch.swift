import SinkKit

/// The violations one batch of audit messages produced, handed to the sinks
/// together when the batch ends (``EventEvaluator/endOfBatch()``): one lock
/// and at most one wake-up per sink per batch, and no copy of a violation on
/// the way (the batch's array itself goes to the last sink's queue).
///
/// Single-threaded: it belongs to the pipeline's thread.
public final class ViolationBatch {
    private let sinks: SinkSet
    private var pending: [Violation] = []

    /// A batch whose violations go to `sinks`.
    public init(sinks: SinkSet) {
        self.sinks = sinks
        pending.reserveCapacity(256)
    }

    /// Violations held until the next ``flush()``.
    public var count: Int { pending.count }

    /// Holds `violation` until the batch ends.
    public func add(_ violation: consuming Violation) {
        pending.append(violation)
    }

    /// Hands what the batch holds to every sink (never blocks).
    public func flush() {
        guard !pending.isEmpty else { return }
        sinks.submit(taking: &pending)
    }
}
