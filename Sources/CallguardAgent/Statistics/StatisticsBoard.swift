import AuditKit
import CoreMetrics
import SinkKit
import Synchronization

/// Where a command's statistics are published: each stage writes its own
/// counters (``PipelineStage/publish(into:)``, after every batch on the
/// pipeline's thread; the reload service after a reload), and the board
/// pushes what changed to the ``StatisticsRegistry`` under the names of
/// ``StatisticName``. Every reader — the SIGUSR1 statistics line, the metrics
/// endpoint, the exit line, `replay --stats` — reads the registry.
public final class StatisticsBoard: Sendable {
    /// The registry the statistics are kept in.
    public let registry: StatisticsRegistry
    /// What was last pushed, and the metrics' handles.
    private let state: Mutex<State>

    private struct State: @unchecked Sendable {
        var last = PipelineStatistics()
        var counts: [Counter]
        var levels: [Meter]
        var labelled: [String: [String: Counter]] = [:]
    }

    public init(registry: StatisticsRegistry = StatisticsRegistry()) {
        self.registry = registry
        state = Mutex(
            State(
                counts: StatisticName.counts.map { Counter(label: $0.label, dimensions: $0.dimensions, factory: registry) },
                levels: StatisticName.levels.map { Meter(label: $0.label, factory: registry) }))
    }

    /// Changes the published statistics: `body` sets the fields it owns.
    public func update(_ body: (inout PipelineStatistics) -> Void) {
        state.withLock { state in
            var next = state.last
            body(&next)
            push(from: state.last, to: next, &state)
            state.last = next
        }
    }

    private func push(from old: PipelineStatistics, to new: PipelineStatistics, _ state: inout State) {
        for (i, name) in StatisticName.counts.enumerated() {
            Self.add(state.counts[i], from: old[keyPath: name.field], to: new[keyPath: name.field])
        }
        for (i, name) in StatisticName.levels.enumerated() where old[keyPath: name.field] != new[keyPath: name.field] {
            state.levels[i].set(new[keyPath: name.field])
        }
        for reason in RecordParseError.Reason.all where old.malformed[reason] != new.malformed[reason] {
            let counter = labelled(StatisticName.malformedByReason, "reason", reason.name, &state)
            Self.add(counter, from: old.malformed[reason], to: new.malformed[reason])
        }
        if old.violationsByPolicy != new.violationsByPolicy {
            for (policy, count) in new.violationsByPolicy where old.violationsByPolicy[policy] != count {
                let counter = labelled(StatisticName.violationsByPolicy, "policy", policy, &state)
                Self.add(counter, from: old.violationsByPolicy[policy] ?? 0, to: count)
            }
        }
        for cause in FoldCause.allCases where old.foldedByCause[cause] != new.foldedByCause[cause] {
            let counter = labelled(StatisticName.foldedByCause, "cause", cause.rawValue, &state)
            Self.add(counter, from: UInt64(old.foldedByCause[cause] ?? 0), to: UInt64(new.foldedByCause[cause] ?? 0))
        }
    }

    private func labelled(_ label: String, _ dimension: String, _ value: String, _ state: inout State) -> Counter {
        if let counter = state.labelled[label]?[value] { return counter }
        let counter = Counter(label: label, dimensions: [(dimension, value)], factory: registry)
        state.labelled[label, default: [:]][value] = counter
        return counter
    }

    private static func add(_ counter: Counter, from old: UInt64, to new: UInt64) {
        guard new != old else { return }
        if new > old {
            counter.increment(by: Int64(truncatingIfNeeded: new &- old))
        } else {
            counter.reset()
            counter.increment(by: Int64(truncatingIfNeeded: new))
        }
    }

    /// The statistics as the registry holds them.
    public var snapshot: PipelineStatistics {
        var s = PipelineStatistics()
        for name in StatisticName.counts {
            s[keyPath: name.field] = UInt64(registry.value(name.label, name.dimensions) ?? 0)
        }
        for name in StatisticName.levels {
            s[keyPath: name.field] = registry.value(name.label) ?? 0
        }
        for sample in registry.samples(StatisticName.malformedByReason) {
            guard let name = sample.dimensions.first?.1,
                let reason = RecordParseError.Reason.all.first(where: { $0.name == name })
            else { continue }
            s.malformed.count(reason, times: UInt64(sample.value))
        }
        for sample in registry.samples(StatisticName.violationsByPolicy) {
            if let policy = sample.dimensions.first?.1 { s.violationsByPolicy[policy] = UInt64(sample.value) }
        }
        for sample in registry.samples(StatisticName.foldedByCause) {
            if let name = sample.dimensions.first?.1, let cause = FoldCause(rawValue: name) {
                s.foldedByCause[cause] = Int(sample.value)
            }
        }
        return s
    }
}
