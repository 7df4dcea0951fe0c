/// Tells, for an audit record, the latest start time (``ProcStat/startTime``
/// ticks) a process can have and still be the one that wrote it: a process
/// that started later got the record's pid after the writer exited (the agent
/// was behind by a whole round of pids), and is never answered for it.
///
/// The record's time is the kernel's coarse wall clock (ms since the epoch);
/// start times count `CLOCK_BOOTTIME` ticks. The offset between the two clocks
/// is read once per batch (``refresh(_:)``); converting a record costs a few
/// integer operations (a division by the constant 10 with `USER_HZ` 100), no
/// system call.
///
/// The margin (``marginMilliseconds``): a start time is rounded down to its
/// 10 ms tick (which only moves it earlier), the audit clock lags by up to one
/// kernel tick (4–10 ms), and the offset is read between two reads of the
/// boot clock (their midpoint, off by half a preemption at most). A
/// record is taken to predate its process only when it was written more than
/// 100 ms before the start tick began: about ten times those errors, and far
/// below the time any host takes to go through a whole round of pids (32,768
/// forks are seconds), so no real reuse falls inside it.
///
/// The wall clock can be stepped (NTP, an operator): the offset then jumps.
/// A step forward would make records written before it look older than they
/// are, so until a record written after the step was seen (by its wall time,
/// later than the step's detection) records are converted with the lowest
/// offset seen, which makes them look later (never predating wrongly). A step
/// back makes old records look later already. Records dated before the
/// kernel's boot (an unset clock) are never compared.
struct RecordClock {
    /// Below this, a record written before a start is still taken for that process.
    static let marginMilliseconds: Int64 = 100

    /// The wall clock at boot now (ms); nil until read.
    private(set) var offset: Int64?
    /// The lowest offset seen: for records written before ``stepSeenAt``.
    private var lowestOffset: Int64 = .max
    /// The wall time at which the last forward step was seen (0: none).
    private var stepSeenAt: UInt64 = 0
    private var millisecondsPerTick: UInt64 = 10

    /// Takes a new reading (once per batch); returns whether the clock was
    /// stepped since the last one (its offset moved by more than the margin).
    @discardableResult
    mutating func refresh(_ reading: WallClockReading?) -> Bool {
        guard let reading, reading.millisecondsPerTick > 0 else { return false }
        millisecondsPerTick = reading.millisecondsPerTick
        let new = reading.wallMillisecondsAtBoot
        defer { offset = new }
        guard let old = offset else {
            lowestOffset = new
            return false
        }
        lowestOffset = min(lowestOffset, new)
        if new - old > Self.marginMilliseconds {
            stepSeenAt = UInt64(max(0, reading.wallMillisecondsNow))
            return true
        }
        return old - new > Self.marginMilliseconds
    }

    /// The latest start time (ticks) of a process that can have written a
    /// record at `wallMilliseconds` (ms since the epoch); `.max` when nothing
    /// can be said (no clock reading, no record time, a record dated before boot).
    /// A few integer operations, no division by a variable in the usual case.
    @inline(__always)
    func latestStart(forRecordAt wallMilliseconds: UInt64) -> UInt64 {
        // One compare for both "no record time" (0 wraps round) and a corrupt one.
        guard let offset, wallMilliseconds &- 1 < Self.latestRecord else { return .max }
        let at = _slowPath(wallMilliseconds < stepSeenAt) ? lowestOffset : offset
        let sinceBoot = Int64(wallMilliseconds) &- at
        guard sinceBoot >= 0 else { return .max }
        let latest = UInt64(sinceBoot) &+ UInt64(Self.marginMilliseconds)
        return millisecondsPerTick == 10 ? latest / 10 : latest / millisecondsPerTick
    }

    /// Records dated later (corrupt) are not compared: keeps the arithmetic in range.
    private static let latestRecord = UInt64(Int64.max / 2)
}
