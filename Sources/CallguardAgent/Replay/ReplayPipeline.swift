import AuditKit
import Glibc

/// `callguard replay`: an auditd log through every stage after the socket.
///
/// Parsing and assembly come from AuditKit; each assembled event's SYSCALL (or
/// SECCOMP) record is summarised as the live agent would. Policy evaluation
/// and sinks hang on ``onEvent``.
public struct ReplayPipeline {
    /// A replay input that cannot be used.
    public struct InputError: Error, CustomStringConvertible {
        /// The path as given.
        public var path: String
        /// The errno of the failed open.
        public var errno: Int32
        public var description: String {
            "cannot open \(path): \(String(cString: strerror(errno))); pass a readable auditd log file, or - for standard input"
        }
    }

    /// How events are assembled.
    public var assembler: AssemblerConfiguration

    public init(assembler: AssemblerConfiguration = .logFile) {
        self.assembler = assembler
    }

    /// Replays `path` ("-" for standard input). `onEvent` sees every event with
    /// its syscall summary (nil when it has no SYSCALL or SECCOMP record).
    public func run(
        path: String,
        onEvent: (AssembledEvent, SyscallSummary?) -> Void = { _, _ in }
    ) throws -> PipelineStatistics {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(path: path, errno: errno) }
        defer { if fd != 0 { close(fd) } }

        var statistics = PipelineStatistics()
        var bodyErrors = MalformedCounts()
        let clock = ContinuousClock()
        let started = clock.now
        let replayer = LogReplayer(configuration: assembler)
        let result = try replayer.run(fd: fd) { event in
            var summary: SyscallSummary?
            for i in 0..<event.count {
                let record = event[i]
                guard record.type == .syscall || record.type == .seccomp else { continue }
                do throws(RecordParseError) {
                    summary = try SyscallSummary(record)
                } catch {
                    bodyErrors.count(error.reason)
                }
                break
            }
            onEvent(event, summary)
        }
        let elapsed = clock.now - started
        statistics.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        statistics.records = result.assembly.records
        statistics.events = result.assembly.events
        statistics.malformed = result.malformed
        for reason in RecordParseError.Reason.all {
            for _ in 0..<bodyErrors[reason] { statistics.malformed.count(reason) }
        }
        statistics.evicted = result.assembly.evicted
        statistics.timedOut = result.assembly.timedOut
        statistics.droppedRecords = result.assembly.droppedRecords
        statistics.serialGaps = result.assembly.serialGaps
        statistics.bytes = result.bytes
        return statistics
    }
}
