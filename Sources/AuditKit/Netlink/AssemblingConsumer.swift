import Glibc

/// The live stream's consumer: parses each netlink record with
/// ``RecordParser/parseNetlink(type:payload:)`` and adds it to an
/// ``EventAssembler``, exactly as `replay` does for log lines. Between batches
/// it moves the assembler's clock to the wall clock, so events whose EOE never
/// comes time out.
///
/// SECCOMP records (type 1326), which the kernel writes for processes under a
/// seccomp filter that returns `SECCOMP_RET_LOG` (an OCI profile's
/// `SCMP_ACT_LOG`), need no audit rule: they arrive on the same socket. When
/// the syscall is audited too, its SYSCALL record and EOE follow under the same
/// serial (when any exit rule is loaded, whichever syscalls it names); when no
/// exit rule is loaded, the record is alone, and an assembler told so
/// (``EventAssembler/exitRulesLoaded``) hands it on at once instead of at its
/// timeout (500 ms live).
public struct AssemblingConsumer: AuditMessageConsumer {
    /// The parser (stateless).
    public let parser: RecordParser
    /// The assembler the records go to; its handler receives the events.
    public let assembler: EventAssembler
    /// Records that could not be parsed, by reason.
    public private(set) var malformed = MalformedCounts()

    /// A consumer feeding `assembler` (configured with ``AssemblerConfiguration/netlink``).
    public init(parser: RecordParser = .init(), assembler: EventAssembler) {
        self.parser = parser
        self.assembler = assembler
        // Start the clock now: an event opened before the first tick must not
        // look as old as the epoch and time out at once.
        assembler.advanceClock(toMilliseconds: AssemblingConsumer.wallClockMilliseconds())
    }

    public mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
        do throws(RecordParseError) {
            // The slab is kept until endOfBatch: records are copied only if their event is still open then.
            assembler.add(borrowing: try parser.parseNetlink(type: RecordType(rawValue: type), payload: payload))
        } catch {
            malformed.count(error.reason)
        }
    }

    public mutating func endOfBatch() {
        assembler.advanceClock(toMilliseconds: AssemblingConsumer.wallClockMilliseconds())
        assembler.detachBorrowed()
    }

    static func wallClockMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec / 1_000_000)
    }
}
