import AuditKit
import Glibc

/// A replay input that cannot be used.
public struct ReplayInputError: Error, CustomStringConvertible {
    /// The path as given.
    public var path: String
    /// The errno of the failed open.
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }
    public var description: String {
        "cannot open \(path): \(String(cString: strerror(errno))); pass a readable auditd log file, or - for standard input"
    }
}

/// What reading a log file saw besides the assembler's counters.
public struct LogFileRead: Sendable {
    /// Bytes read.
    public var bytes: UInt64 = 0
    /// Wall-clock seconds the read took.
    public var seconds: Double = 0
}

/// Stage 1, offline source: an auditd log (raw or enriched format, or what
/// callguard recorded), line by line, through the same parse-and-assemble
/// stage as the live stream. `replay`, `abi` and the tests use it.
extension AuditPipeline {
    /// Reads `path` ("-" for standard input) to its end and flushes the events
    /// still open. A file's serial gaps are serials it lacks (counted as
    /// missing), never loss, when the pipeline was built with
    /// ``AssemblerConfiguration/logFile``.
    @discardableResult
    public func replay(path: String) throws -> LogFileRead {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReplayInputError(path: path, errno: errno) }
        defer { if fd != 0 { close(fd) } }
        let clock = ContinuousClock()
        let started = clock.now
        let replayer = LogReplayer(configuration: assembly.assembler.configuration, parser: assembly.parser)
        let read = try replayer.feed(fd: fd, into: assembly.assembler)
        for reason in RecordParseError.Reason.all { assembly.malformed.count(reason, times: read.malformed[reason]) }
        flush()
        publish()
        let elapsed = clock.now - started
        return LogFileRead(
            bytes: read.bytes,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
