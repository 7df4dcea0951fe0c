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

    /// Attribution from `source`, verdicts by `policies`; violations go to
    /// `emit`, through a fold (stage 6) with `throttle`'s settings when given.
    public init(
        policies: PolicyStore, source: ContainerSource, factory: ViolationFactory, throttle: Throttle? = nil,
        emit: @escaping Emit
    ) {
        attribution = Attribution(source: source)
        verdict = Verdict(policies: policies, factory: factory, throttle: throttle, emit: emit)
    }

    /// Both stages' counters.
    public var counters: EvaluatorCounters {
        var c = EvaluatorCounters()
        c.syscallEvents = syscallEvents
        c.malformed = malformed
        c.host = attribution.counters.host
        c.unattributed = attribution.counters.unattributed
        let v = verdict.counters
        c.checked = v.checked
        c.noPolicy = v.noPolicy
        c.runtimeBootstrap = v.runtimeBootstrap
        c.imageUnknown = v.imageUnknown
        c.containerUnknown = v.containerUnknown
        c.unparsableSyscall = v.unparsableSyscall
        c.violations = v.violations
        return c
    }

    /// Violations found, by policy name.
    public var violationsByPolicy: [String: UInt64] { verdict.violationsByPolicy }

    @inline(__always)
    public func beginBatch() { attribution.beginBatch() }

    public func sweep() { attribution.sweep() }

    /// Summaries of fold windows that have closed go out.
    public func endOfBatch() { verdict.fold?.closeWindows(now: Timestamp.now().millisecondsSinceEpoch) }

    /// Every fold window closes: its summaries go out.
    public func endOfInput() { verdict.fold?.flushAll(now: Timestamp.now().millisecondsSinceEpoch) }

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
        s.malformed.count(.unbalancedQuote, times: c.malformed)
        s.unattributed = c.unattributed
        s.noPolicy = c.noPolicy
        s.runtimeBootstrap = c.runtimeBootstrap
        s.imageUnknown = c.imageUnknown
        s.containerUnknown = c.containerUnknown
        s.unparsableSyscall = c.unparsableSyscall
        s.violationsByPolicy = verdict.violationsByPolicy
        s.attributionMisses = attribution.misses
        if let fold = verdict.fold { s.foldedByCause = fold.foldedByCause }
    }

    /// Summarises and checks one event (what ``AuditPipeline`` does for each).
    public func evaluate(_ event: AssembledEvent) {
        switch SyscallEvent.summarise(event) {
        case .syscall(let e): take(e)
        case .malformed: takeMalformed()
        case .none: break
        }
    }
}
