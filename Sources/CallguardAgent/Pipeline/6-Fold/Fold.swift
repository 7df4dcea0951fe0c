import AuditKit
import SinkKit

/// Stage 6, fold: one throttle before every sink, so that a container looping
/// on a forbidden syscall cannot flood the SIEM, and so that no later
/// violation can replace the evidence of an earlier one. It runs on the
/// pipeline's thread, before any string of a violation is made: a violation's
/// key (container and image as a number, arch, syscall number) and its finding (the
/// executable, command line and path as the kernel wrote them and quoted, hashed in
/// place) come from parsed fields, and a repeat of a finding already seen is
/// counted (serial, time) without ever being turned into a ``Violation``.
///
/// The table is SinkKit's ``SinkKit/FoldTable`` (the one behind
/// ``SinkKit/Throttle``), so the semantics are the same: within a key,
/// each distinct finding goes out at once (if the rate cap allows) and its
/// repeats within `windowMS` fold into one summary carrying the first
/// occurrence's details; up to `distinctPerKey` findings are remembered per
/// key, beyond which new findings still go out at once while the cap allows
/// and the rest fold into the key's overflow summary; beyond `maxKeys` keys,
/// violations of new keys fold into one table-wide summary. Nothing is
/// dropped here. Every message, summaries included, takes one of
/// `maxPerSecond` tokens a second; only ``flushAll(now:)`` ignores the cap.
///
/// Single-threaded: it belongs to the pipeline's thread.
public final class Fold {
    /// What violations are grouped by: made of values the earlier stages
    /// already hold. The container (its id and image) is a number the verdict
    /// gives each container it resolved a policy for (``Verdict``), so that a
    /// key is hashed and copied without touching a string.
    public struct Key: Hashable, Sendable {
        /// The container and image, as a number (0: no container known).
        public var container: Int
        /// The audit arch.
        public var arch: UInt32
        /// The syscall number.
        public var syscall: Int32

        public init(container: Int, arch: UInt32, syscall: Int32) {
            self.container = container
            self.arch = arch
            self.syscall = syscall
        }
    }

    private var table: FoldTable<Key>
    private let emit: Verdict.Emit
    /// The table's next deadline as last computed; nil: none, or not known
    /// (``deadlineKnown`` false). A finding opened later never closes earlier
    /// than the findings already held, so the table is scanned again only
    /// when a window closed or when it held nothing: not on every batch.
    private var deadline: Int64?
    private var deadlineKnown = false
    /// The last admission the table folded as a repeat of a finding it holds:
    /// identical admissions after it (a flood) are only counted here, and
    /// handed to the table as one (count, last serial, last time) before
    /// anything else touches it. Their outcome cannot differ: a held finding's
    /// repeat is folded whatever the clock or the rate cap says.
    private var run: (key: Key, finding: Int)?
    /// The run's finding values, when its first came with them
    /// (``admit(_:make:)``): a repeat is then recognised by comparing bytes,
    /// without hashing (``countRepeat(_:)``). Set and cleared with `run`.
    private var runValues = FindingCopy()
    private var pending = 0
    private var pendingSerial: UInt64 = 0
    private var pendingTime = Timestamp(millisecondsSinceEpoch: 0)
    private var pendingNow: Int64 = 0

    /// A fold with `settings`' window, rate cap and bounds, handing what goes out to `emit`.
    public init(_ settings: Throttle, emit: @escaping Verdict.Emit) {
        table = FoldTable(
            windowMS: settings.windowMS, maxPerSecond: settings.maxPerSecond, maxKeys: settings.maxKeys,
            distinctPerKey: settings.distinctPerKey)
        self.emit = emit
    }

    /// Violations folded into a later summary (not lost), by cause.
    public var foldedByCause: [FoldCause: Int] {
        settleRun()
        return table.foldedByCause
    }

    /// Counts `violation` as one more repeat of the run, and returns true,
    /// when its key and its finding's values are the run's (the last finding
    /// the table folded a repeat of, its values compared byte for byte); else
    /// returns false, and it is to be admitted (``admit(_:make:)``). A flood's
    /// repeats cost a comparison, not a hash.
    @inline(__always)
    public func countRepeat(_ violation: Admission) -> Bool {
        closeWindows(now: violation.now)
        guard let run, run.key == violation.key, runValues.matches(violation.finding) else { return false }
        pending += 1
        pendingSerial = violation.serial
        pendingTime = violation.time
        pendingNow = violation.now
        return true
    }

    /// Admits `violation`: as `admit` with its finding's hash; when it starts
    /// a run of repeats, the finding's values are kept so that the run's
    /// repeats are recognised without hashing (``countRepeat(_:)``).
    public func admit(_ violation: Admission, make: () -> Violation) {
        admit(
            key: violation.key, finding: violation.finding.hash, values: violation.finding, serial: violation.serial,
            time: violation.time, now: violation.now, make: make)
    }

    /// One violation of `key`, whose finding is `finding` (``Finding/hash``),
    /// at `now` (ms). `make` builds it, and is called only when it goes out now or
    /// opens a finding whose summary will carry its details.
    public func admit(key: Key, finding: Int, serial: UInt64, time: Timestamp, now: Int64, make: () -> Violation) {
        admit(key: key, finding: finding, values: nil, serial: serial, time: time, now: now, make: make)
    }

    private func admit(
        key: Key, finding: Int, values: Finding?, serial: UInt64, time: Timestamp, now: Int64, make: () -> Violation
    ) {
        closeWindows(now: now)
        if let run, run.finding == finding, run.key == key {
            pending += 1
            pendingSerial = serial
            pendingTime = time
            pendingNow = now
            return
        }
        settleRun()
        if deadline == nil { deadlineKnown = false }
        let repeats = table.repeatsFolded
        if let out = table.admit(key: key, finding: finding, serial: serial, time: time, now: now, make: make) {
            emit(out)
        } else if table.repeatsFolded > repeats {
            run = (key, finding)
            if let values { runValues.set(values) } else { runValues.clear() }
        }
    }

    /// Hands the repeats counted since the run's first to the table.
    private func settleRun() {
        guard let current = run else { return }
        if pending > 0 {
            _ = table.admit(
                key: current.key, finding: current.finding, count: pending, serial: pendingSerial, time: pendingTime,
                now: pendingNow,
                // The table is as the run's first left it (nothing touched it
                // since): the finding is held, and a repeat is folded unmade.
                make: { preconditionFailure("a held finding's repeat makes no violation") })
            pending = 0
        }
        run = nil
        runValues.clear()
    }

    /// Sends the summaries of windows that closed by `now`, oldest first, as
    /// many as the rate cap allows (the rest wait for the next second).
    public func closeWindows(now: Int64) {
        if !deadlineKnown {
            deadline = table.nextDeadline
            deadlineKnown = true
        }
        guard let due = deadline, due <= now else { return }
        settleRun()
        let summaries = table.closeWindows(now: now)
        deadline = table.nextDeadline
        for summary in summaries { emit(summary) }
    }

    /// Closes every window now, regardless of the rate cap (at the end of the input).
    public func flushAll(now: Int64) {
        settleRun()
        let summaries = table.flushAll(now: now)
        deadline = table.nextDeadline
        deadlineKnown = true
        for summary in summaries { emit(summary) }
    }
}
