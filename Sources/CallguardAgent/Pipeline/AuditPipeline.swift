import AuditKit
import Synchronization

/// What follows the summary (stage 3) in a command's pipeline: attribution,
/// verdict and the sinks for `run` and `replay` (``EventEvaluator``), a tally
/// for `learn` (``LearnTally``), an observed set for `abi`
/// (``ObservedSyscalls``).
///
/// Called on the pipeline's one thread only.
public protocol PipelineStage: AnyObject {
    /// One event with a syscall record.
    func take(_ event: SyscallEvent)
    /// One event whose syscall record is malformed.
    func takeMalformed()
    /// Once per batch of audit messages, before its first event (and at each idle tick).
    func beginBatch()
    /// The kernel's process announcements wait (idle socket, or an idle tick): take them in now.
    func takeAnnouncements()
    /// Housekeeping the timer asked for, run between batches on the pipeline's thread.
    func sweep()
    /// After each batch (and at each idle tick): time-driven work (fold windows that closed).
    func endOfBatch()
    /// The input ended (or the reader stopped) and the last events were handed on.
    func endOfInput()
    /// Writes this stage's counters into the published statistics.
    func publish(into statistics: inout PipelineStatistics)
}

extension PipelineStage {
    /// Stage 3 then this stage: summarises `event` and hands its syscall on.
    @inline(__always)
    public func takeEvent(_ event: AssembledEvent) {
        switch SyscallEvent.summarise(event) {
        case .syscall(let e): take(e)
        case .malformed: takeMalformed()
        case .none: break
        }
    }

    public func beginBatch() {}
    public func takeAnnouncements() {}
    public func sweep() {}
    public func endOfBatch() {}
    public func endOfInput() {}
}

/// The one pipeline every command runs: a source (the netlink reader, see
/// ``AuditPipeline/consume(type:payload:)``; or a log file, see
/// ``AuditPipeline/replay(path:)``) → parse and assemble (stage 2,
/// ``Assembly``) → summary (stage 3, ``SyscallEvent``) → the command's
/// ``PipelineStage``. Built once per command; `run`, `replay`, `learn` and
/// `abi` differ only in the source they feed it and the stage they end it with.
///
/// Single-threaded: the thread that feeds it owns it. Other threads talk to it
/// only through ``housekeeping`` (sweep requests) and read its counters through
/// what it publishes to a ``StatisticsRegistry``.
public final class AuditPipeline<Stage: PipelineStage> {
    /// Stage 2: the parser and the assembler.
    public let assembly: Assembly
    /// The command's stages after the summary.
    public let stage: Stage
    /// Requests from the housekeeping timer, taken between batches.
    public let housekeeping = Housekeeping()
    /// Where the stages publish their counters after each batch (nil: nowhere).
    public var board: StatisticsBoard?
    /// Counters of the source's own (the reader's overruns, ...), published with the stages'.
    public var publishSource: ((inout PipelineStatistics) -> Void)?
    /// What the live source sets before each batch (whether exit rules are loaded, for the assembler).
    public var beforeBatch: (() -> Void)?
    var inBatch = false
    /// While batches stream in, the live source publishes at most this often
    /// (and at every idle tick); see ``endOfBatch()``.
    public var publishIntervalNanoseconds: UInt64 = 50_000_000
    var lastPublished: UInt64 = 0

    /// A pipeline ending in `stage`, assembling events as `configuration` says
    /// (``AssemblerConfiguration/netlink`` live, ``AssemblerConfiguration/logFile`` for a file).
    public init(_ configuration: AssemblerConfiguration, stage: Stage) {
        self.stage = stage
        assembly = Assembly(configuration) { stage.takeEvent($0) }
    }

    /// Hands on the events still open (at the end of the input, or after the reader stopped).
    public func flush() {
        assembly.flush()
        stage.endOfInput()
    }

    /// Every stage writes its counters to ``board``.
    public func publish() {
        guard let board else { return }
        board.update { s in
            let assembled = assembly.statistics
            if assembled.records > s.records { s.lastRecordTime = Self.wallClockSeconds() }
            s.take(assembled)
            s.malformed = assembly.malformed
            stage.publish(into: &s)
            publishSource?(&s)
        }
    }

    static func wallClockSeconds() -> Double {
        Double(Assembly.wallClockMilliseconds()) / 1000
    }

    /// Between batches: the housekeeping the timer asked for.
    @inline(__always)
    func betweenBatches() {
        if _slowPath(housekeeping.takeSweepRequest()) { stage.sweep() }
    }
}

/// Requests another thread (the housekeeping timer) makes of a pipeline,
/// carried out on the pipeline's own thread between batches.
public final class Housekeeping: Sendable {
    private let sweepRequested = Atomic<Bool>(false)

    public init() {}

    /// Asks for a sweep of the attribution cache at the next batch end.
    public func requestSweep() { sweepRequested.store(true, ordering: .releasing) }

    @inline(__always)
    func takeSweepRequest() -> Bool {
        guard sweepRequested.load(ordering: .relaxed) else { return false }
        return sweepRequested.exchange(false, ordering: .acquiringAndReleasing)
    }
}
