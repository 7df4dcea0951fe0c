import Synchronization

/// The one place a pipeline's statistics are published to: each stage writes
/// its own counters here (``PipelineStage/publish(into:)``, after every batch
/// on the pipeline's thread), and every reader — the SIGUSR1 statistics line,
/// the metrics endpoint, the exit line, `replay --stats` — reads a copy.
public final class StatisticsBoard: Sendable {
    private let current = Mutex(PipelineStatistics())

    public init() {}

    /// Changes the published statistics.
    public func update(_ body: (inout PipelineStatistics) -> Void) {
        current.withLock { body(&$0) }
    }

    /// A copy of the published statistics.
    public var snapshot: PipelineStatistics { current.withLock { $0 } }
}
