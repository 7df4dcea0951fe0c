import AuditKit
import Glibc

/// `callguard replay`: an auditd log through every stage after the socket.
///
/// Parsing and assembly come from AuditKit; the events go to `onEvent` (the
/// ``EventEvaluator`` and its sinks, in ``ReplayRunner``).
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

    /// How events are assembled (``AssemblerConfiguration/logFile``: a file's
    /// serial gaps are reported as missing serials, never as loss).
    public var assembler: AssemblerConfiguration

    public init(assembler: AssemblerConfiguration = .logFile) {
        self.assembler = assembler
    }

    /// Replays `path` ("-" for standard input); `onEvent` sees every event.
    public func run(path: String, onEvent: (AssembledEvent) -> Void = { _ in }) throws -> PipelineStatistics {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(path: path, errno: errno) }
        defer { if fd != 0 { close(fd) } }

        var statistics = PipelineStatistics()
        let clock = ContinuousClock()
        let started = clock.now
        let replayer = LogReplayer(configuration: assembler)
        let result = try replayer.run(fd: fd, onEvent: onEvent)
        let elapsed = clock.now - started
        statistics.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // A file's serial gaps are serials it lacks (serialsMissing), not loss:
        // the assembler was told the serials come from a file (AssemblerConfiguration.logFile).
        statistics.take(result.assembly)
        statistics.malformed = result.malformed
        statistics.bytes = result.bytes
        return statistics
    }
}
