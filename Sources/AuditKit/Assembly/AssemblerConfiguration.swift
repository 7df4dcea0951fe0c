/// Bounds and completion rules for ``EventAssembler``.
public struct AssemblerConfiguration: Sendable {
    /// How many events may be open (waiting for more records) at once. When a
    /// new event needs room, the oldest open event is completed early and
    /// counted as evicted.
    public var maximumOpenEvents: Int
    /// An open event whose EOE never comes completes this long after its first
    /// record arrived, measured on the assembler's clock (see ``clock``).
    public var timeoutMilliseconds: UInt64
    /// Complete a syscall event at its PROCTITLE record, which the kernel always
    /// writes last. auditd's log files carry no EOE records, so replay sets this;
    /// the netlink stream has EOE and leaves it off.
    public var completeOnProctitle: Bool
    /// Whether an audit syscall rule (exit, task) may be loaded in the kernel,
    /// as far as the assembler is told at the start (``EventAssembler/exitRulesLoaded``
    /// changes it at runtime). A syscall that a seccomp filter logs produces
    /// one SECCOMP record; the kernel writes a SYSCALL record (and EOE) only
    /// for a syscall an exit rule matches. With no such rule loaded nothing
    /// more can come for the SECCOMP record's serial, and the assembler hands
    /// it on at once instead of at the timeout. True (wait) is the safe
    /// default: an auditd log says nothing of the rules it was written under.
    /// (On x86_64 the kernel runs seccomp before audit's syscall entry, so the
    /// SECCOMP record takes its own serial even when a rule matches: measured
    /// by `LoneSeccompLiveTests`; other arches and old kernels may differ.)
    public var exitRulesLoaded: Bool
    /// Records beyond this many in one event are dropped (and counted).
    public var maximumRecordsPerEvent: Int
    /// Bytes beyond this many in one event are dropped (and counted).
    public var maximumBytesPerEvent: Int
    /// What time the timeout is measured in.
    public var clock: Clock
    /// Where the serials come from: the kernel's stream, whose gaps are loss,
    /// or a file, whose gaps are only serials it lacks.
    public var serialSource: SerialGapTracker.Source

    /// The assembler's sense of time.
    public enum Clock: Sendable {
        /// The newest record timestamp seen so far: for logs, whose events are
        /// replayed faster than they happened.
        case recordTime
        /// Whatever the caller passes to ``EventAssembler/advanceClock(toMilliseconds:)``:
        /// for the live stream, the wall clock.
        case external
    }

    public init(
        maximumOpenEvents: Int = 4096,
        timeoutMilliseconds: UInt64 = 2000,
        completeOnProctitle: Bool = false,
        maximumRecordsPerEvent: Int = 1024,
        maximumBytesPerEvent: Int = 1 << 20,
        clock: Clock = .recordTime,
        serialSource: SerialGapTracker.Source = .kernelStream,
        exitRulesLoaded: Bool = true
    ) {
        self.exitRulesLoaded = exitRulesLoaded
        self.maximumOpenEvents = max(1, maximumOpenEvents)
        self.timeoutMilliseconds = timeoutMilliseconds
        self.completeOnProctitle = completeOnProctitle
        self.maximumRecordsPerEvent = max(1, maximumRecordsPerEvent)
        self.maximumBytesPerEvent = max(1024, maximumBytesPerEvent)
        self.clock = clock
        self.serialSource = serialSource
    }

    /// Settings for auditd log files (replay): no EOE, complete at PROCTITLE,
    /// record time, serial gaps counted as missing from the file, not as loss.
    public static var logFile: AssemblerConfiguration {
        AssemblerConfiguration(completeOnProctitle: true, serialSource: .file)
    }

    /// Settings for the live netlink stream: EOE, wall clock.
    public static var netlink: AssemblerConfiguration {
        AssemblerConfiguration(timeoutMilliseconds: 500, completeOnProctitle: false, clock: .external)
    }
}
