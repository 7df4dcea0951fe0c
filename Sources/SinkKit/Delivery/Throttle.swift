/// Folds repeated violations into counted summaries and caps the message rate,
/// so that a container looping on a forbidden syscall cannot flood the SIEM,
/// and so that no later violation can replace the evidence of an earlier one.
///
/// Violations are grouped by ``Violation/FoldKey`` (container, image, syscall,
/// arch). Within a key, each distinct executable, command line and path is its
/// own finding, up to `distinctPerKey` findings; beyond that budget a new
/// finding still goes out at once while the rate cap allows (its repeats, and
/// what the cap holds back, fold into the key's one overflow summary), so that
/// decoys sent first cannot reduce a later finding to a count. When the table holds
/// `maxKeys` keys, violations of new keys fold into one table-wide overflow
/// summary. No violation is ever dropped here.
///
/// A finding's first occurrence goes out at once with `count` 1, if the rate cap
/// allows; repeats within `windowMS` are held back and counted. When the window
/// closes, one summary goes out: the FIRST occurrence's details (process, path,
/// command line, pid, serial, time), the number held back as `count`, and their
/// span in ``Violation/fold``. Every message, summaries included, takes one of
/// `maxPerSecond` tokens a second; a new finding without a token is held back as
/// a summary, and a summary without a token waits for the next second (its
/// finding keeps counting). Only ``flushAll(now:)``, at shutdown, ignores the cap.
public struct Throttle: Sendable {
    private var table: FoldTable<Violation.FoldKey>

    /// How long repeats of a finding are folded together, in milliseconds (0:
    /// no folding of repeats; the rate cap still folds what it holds back).
    public var windowMS: Int64 {
        get { table.windowMS }
        set { table.windowMS = max(0, newValue) }
    }
    /// Messages allowed per second, summaries included (0: unlimited).
    public var maxPerSecond: Int {
        get { table.maxPerSecond }
        set { table.maxPerSecond = max(0, newValue) }
    }
    /// The most keys tracked at once; beyond it, violations of new keys fold into
    /// one table-wide summary.
    public var maxKeys: Int {
        get { table.maxKeys }
        set { table.maxKeys = max(1, newValue) }
    }
    /// The most distinct findings (executable, command line, path) remembered per
    /// key and window; beyond it, new ones are sent while the cap allows and the
    /// rest fold into the key's overflow summary.
    public var distinctPerKey: Int {
        get { table.distinctPerKey }
        set { table.distinctPerKey = max(1, newValue) }
    }

    /// Violations folded into a later summary (not lost), by cause.
    public var foldedByCause: [FoldCause: Int] { table.foldedByCause }
    /// Violations folded into a later summary (not lost).
    public var folded: Int { table.folded }

    public init(windowMS: Int64 = 10_000, maxPerSecond: Int = 100, maxKeys: Int = 10_000, distinctPerKey: Int = 8) {
        table = FoldTable(windowMS: windowMS, maxPerSecond: maxPerSecond, maxKeys: maxKeys, distinctPerKey: distinctPerKey)
    }

    /// Decides about one violation at `now` (ms): returns it to send now, or nil
    /// when it is folded into a later summary.
    public mutating func admit(_ v: Violation, now: Int64) -> Violation? {
        var hasher = Hasher()
        hasher.combine(v.process.executable)
        hasher.combine(v.process.commandLine)
        hasher.combine(v.process.filePath)
        return table.admit(
            key: v.foldKey, finding: hasher.finalize(), count: v.count, serial: v.audit.serial, time: v.audit.time,
            now: now, make: { v })
    }

    /// Summaries of windows that closed by `now`, oldest first, as many as the
    /// rate cap allows (the rest wait for the next second).
    public mutating func closeWindows(now: Int64) -> [Violation] { table.closeWindows(now: now) }

    /// Closes every window now, regardless of the rate cap (at shutdown).
    public mutating func flushAll(now: Int64) -> [Violation] { table.flushAll(now: now) }

    /// When the next window closes or a waiting summary may go (ms), if any.
    public var nextDeadline: Int64? { table.nextDeadline }

    /// How many keys the table holds (at most `maxKeys`).
    public var keyCount: Int { table.keyCount }

    /// Whether this throttle lets every violation out unchanged (no window, no
    /// rate cap), so a sink can skip it: what the agent's sinks use when the
    /// pipeline's fold stage has already throttled.
    public var passesEverything: Bool { table.windowMS == 0 && table.maxPerSecond == 0 }
}
