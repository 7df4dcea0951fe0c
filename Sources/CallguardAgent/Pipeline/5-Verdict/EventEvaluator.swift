import AuditKit
import ContainerKit
import PolicyKit
import SinkKit

/// The checking tail of `run` and `replay`: attribution (stage 4) then the
/// verdict (stage 5) for each summarised event; violations go to `emit` (the
/// sinks). One ``PipelineStage`` of ``AuditPipeline``.
///
/// Single-threaded: it belongs to the thread that reads the audit stream.
public final class EventEvaluator: PipelineStage {
    /// Where violations go.
    public typealias Emit = Verdict.Emit

    /// Stage 4.
    public let attribution: Attribution
    /// Stage 5.
    public let verdict: Verdict
    private var syscallEvents: UInt64 = 0
    private var malformed: UInt64 = 0
    /// Where violations wait for the end of their batch, when they are batched.
    private let batch: ViolationBatch?

    /// Attribution from `source`, verdicts by `policies`; violations go to
    /// `emit`, through a fold (stage 6) with `throttle`'s settings when given.
    public init(
        policies: PolicyStore, source: ContainerSource, factory: ViolationFactory, throttle: Throttle? = nil,
        emit: @escaping Emit
    ) {
        attribution = Attribution(source: source)
        verdict = Verdict(policies: policies, factory: factory, throttle: throttle, emit: emit)
        batch = nil
    }

    /// Attribution from `source`, verdicts by `policies`; violations go to
    /// `sinks` once per batch of audit messages (at ``endOfBatch()`` and
    /// ``endOfInput()``), through a fold with `throttle`'s settings when given.
    /// For the live source, which ends every batch.
    public init(
        policies: PolicyStore, source: ContainerSource, factory: ViolationFactory, throttle: Throttle? = nil,
        batchingInto sinks: SinkSet
    ) {
        let batch = ViolationBatch(sinks: sinks)
        attribution = Attribution(source: source)
        verdict = Verdict(policies: policies, factory: factory, throttle: throttle, emit: batch.add)
        self.batch = batch
    }

    /// Both stages' counters.
    public var counters: Counters {
        Counters(
            syscallEvents: syscallEvents, malformed: malformed, attribution: attribution.counters,
            verdict: verdict.counters)
    }

    /// Violations found, by policy name.
    public var violationsByPolicy: [String: UInt64] { verdict.violationsByPolicy }

    @inline(__always)
    public func beginBatch() {
        attribution.beginBatch()
        verdict.startBatch()
    }

    public func takeAnnouncements() { attribution.takeAnnouncements() }

    public func sweep() { attribution.sweep() }

    /// Summaries of fold windows that have closed go out, and the batch's violations with them.
    public func endOfBatch() {
        verdict.fold?.closeWindows(now: Timestamp.now().millisecondsSinceEpoch)
        batch?.flush()
    }

    /// Every fold window closes: its summaries go out, and what the batch holds.
    public func endOfInput() {
        verdict.fold?.flushAll(now: Timestamp.now().millisecondsSinceEpoch)
        batch?.flush()
    }

    @inline(__always)
    public func take(_ event: SyscallEvent) {
        syscallEvents &+= 1
        verdict.check(event, culprit: attribution.attribute(event), attribution: attribution)
    }

    public func takeMalformed() { malformed &+= 1 }

    public func publish(into s: inout PipelineStatistics) {
        let c = counters
        s.violations = c.violations
        // SyscallSummary fails only on an unbalanced quote.
        s.malformed.count(.unbalancedQuote, times: malformed)
        s.unattributed = c.unattributed
        s.noPolicy = c.noPolicy
        s.runtimeBootstrap = c.runtimeBootstrap
        s.imageUnknown = c.imageUnknown
        s.containerUnknown = c.containerUnknown
        s.unparsableSyscall = c.unparsableSyscall
        s.violationsByPolicy = verdict.violationsByPolicy
        s.attributionMisses = attribution.misses
        s.recordsBeforeTheirProcess = attribution.recordsBeforeTheirProcess
        s.forkAnnouncementOverflows = attribution.forkOverflows
        s.forkAnnouncements = attribution.receivesForkAnnouncements
        if let fold = verdict.fold { s.foldedByCause = fold.foldedByCause }
    }

    /// Summarises and checks one event (what ``AuditPipeline`` does for each).
    public func evaluate(_ event: AssembledEvent) { takeEvent(event) }
}

extension EventEvaluator {
    /// What the evaluator's stages counted: its own (events with a syscall
    /// record, malformed ones) and, by name, attribution's and the verdict's.
    @dynamicMemberLookup
    public struct Counters: Sendable, Equatable {
        /// Events that carried a SYSCALL or SECCOMP record.
        public var syscallEvents: UInt64
        /// Events whose syscall record was malformed.
        public var malformed: UInt64
        /// Stage 4's counters.
        public var attribution: Attribution.Counters
        /// Stage 5's counters.
        public var verdict: Verdict.Counters

        public subscript(dynamicMember field: KeyPath<Attribution.Counters, UInt64>) -> UInt64 {
            attribution[keyPath: field]
        }

        public subscript(dynamicMember field: KeyPath<Verdict.Counters, UInt64>) -> UInt64 {
            verdict[keyPath: field]
        }
    }
}

/// The evaluator's counters (the name the tests and benchmarks know).
public typealias EvaluatorCounters = EventEvaluator.Counters
