import Glibc

/// Runs an auditd log through the first stages of the pipeline: line
/// splitting, record parsing and event assembly. Malformed lines are counted
/// by reason and skipped; every completed event goes to the caller.
///
/// `replay` and the benchmarks use this; the live reader feeds the same
/// ``RecordParser`` and ``EventAssembler`` from netlink instead.
public struct LogReplayer {
    /// What a run saw.
    public struct Statistics: Sendable {
        /// Bytes read from the input.
        public var bytes: UInt64 = 0
        /// Lines read (records plus malformed lines).
        public var lines: UInt64 = 0
        /// Lines that could not be parsed, by reason.
        public var malformed = MalformedCounts()
        /// The assembler's counters (records parsed, events, evictions, gaps).
        public var assembly = AssemblyStatistics()
    }

    /// How events are assembled.
    public var configuration: AssemblerConfiguration
    /// How records are parsed.
    public var parser: RecordParser

    public init(configuration: AssemblerConfiguration = .logFile, parser: RecordParser = .init()) {
        self.configuration = configuration
        self.parser = parser
    }

    /// Reads `fd` to its end. `onEvent` receives every event (valid during the
    /// call only); `onMalformed` every line that was skipped, with the reason.
    public func run(
        fd: Int32,
        onEvent: (AssembledEvent) -> Void,
        onMalformed: (RecordParseError, ByteView) -> Void = { _, _ in }
    ) throws -> Statistics {
        try withoutActuallyEscaping(onEvent) { onEvent in
            let assembler = EventAssembler(configuration: configuration, handler: onEvent)
            var statistics = try feed(fd: fd, into: assembler, onMalformed: onMalformed)
            assembler.flush()
            statistics.assembly = assembler.statistics
            return statistics
        }
    }

    /// Reads `fd` to its end into `assembler` (whose handler receives the
    /// events): the log-file source of a pipeline that owns its assembler.
    /// Leaves the events still open in the assembler (copied out of the read
    /// buffer); the caller flushes them. The statistics' `assembly` is left empty.
    public func feed(
        fd: Int32, into assembler: EventAssembler,
        onMalformed: (RecordParseError, ByteView) -> Void = { _, _ in }
    ) throws -> Statistics {
        var statistics = Statistics()
        let reader = LogLineReader(fd: fd, maximumLineLength: parser.maximumRecordLength)
        try reader.forEachScannedLine(
            { line, scan in
                statistics.lines &+= 1
                do throws(RecordParseError) {
                    assembler.add(borrowing: try parser.parseLine(start: line.start, count: line.count, scan: scan))
                } catch {
                    statistics.malformed.count(error.reason)
                    onMalformed(error, line)
                }
            },
            overlong: {
                statistics.lines &+= 1
                statistics.malformed.count(.tooLong)
                onMalformed(RecordParseError(.tooLong, at: parser.maximumRecordLength), .empty)
            },
            beforeReuse: { assembler.detachBorrowed() })
        // The reader's buffer may go before the open events are flushed.
        assembler.detachBorrowed()
        statistics.bytes = reader.bytesRead
        return statistics
    }
}
