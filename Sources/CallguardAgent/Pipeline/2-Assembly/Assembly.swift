import AuditKit
import Glibc

/// Stage 2, parse and assemble: each record is parsed in place (views into
/// the source's buffer, AuditKit's ``RecordParser``) and joined with the other
/// records of its event by serial (``EventAssembler``: EOE or timeout, a bounded
/// table). Records that cannot be parsed are counted by reason and skipped.
public final class Assembly {
    /// The parser (stateless).
    public let parser = RecordParser()
    /// The assembler; its handler is the summary stage.
    public let assembler: EventAssembler
    /// Records or lines that could not be parsed, by reason.
    public internal(set) var malformed = MalformedCounts()

    init(_ configuration: AssemblerConfiguration, handler: @escaping EventAssembler.Handler) {
        assembler = EventAssembler(configuration: configuration, handler: handler)
    }

    /// The assembler's counters.
    public var statistics: AssemblyStatistics { assembler.statistics }

    /// One netlink record, borrowed from the reader's slab until ``endOfBatch()``.
    @inline(__always)
    func add(type: UInt16, payload: UnsafeRawBufferPointer) {
        do throws(RecordParseError) {
            assembler.add(borrowing: try parser.parseNetlink(type: RecordType(rawValue: type), payload: payload))
        } catch {
            malformed.count(error.reason)
        }
    }

    /// After a batch: the clock moves to the wall clock (events whose EOE never
    /// comes time out) and records of events still open are copied out of the slab.
    @inline(__always)
    func endOfBatch() {
        assembler.advanceClock(toMilliseconds: Self.wallClockMilliseconds())
        assembler.detachBorrowed()
    }

    /// Starts the live clock now, so an event opened before the first tick
    /// does not look as old as the epoch and time out at once.
    func startLiveClock() {
        assembler.advanceClock(toMilliseconds: Self.wallClockMilliseconds())
    }

    func flush() {
        assembler.detachBorrowed()
        assembler.flush()
    }

    static func wallClockMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec / 1_000_000)
    }
}
