/// Folds repeated violations into counts and caps the message rate, so that a
/// container looping on a forbidden syscall cannot flood the SIEM.
///
/// The first violation of a key (container, image, executable, syscall) goes out
/// at once with `count` 1. Identical ones within `window` are held back and
/// counted; when the window closes, one summary goes out with the held-back
/// `count` (and the latest one's details). Beyond `maxPerSecond` new messages a
/// second, a violation is held back the same way instead of being sent, so the
/// cap delays evidence but never loses it. Summaries are not capped.
public struct Throttle: Sendable {
    /// How long identical violations are folded together, in milliseconds (0: off).
    public var windowMS: Int64
    /// New (non-summary) messages allowed per second (0: unlimited).
    public var maxPerSecond: Int
    /// The most keys tracked at once; beyond it, violations pass unthrottled.
    public var maxKeys: Int

    private struct Entry: Sendable { var opened: Int64; var held: Int; var latest: Violation }
    private var entries: [Violation.ThrottleKey: Entry] = [:]
    private var second: Int64 = 0
    private var sentThisSecond = 0
    /// Violations folded into a later summary (not lost).
    public private(set) var folded = 0

    public init(windowMS: Int64 = 10_000, maxPerSecond: Int = 100, maxKeys: Int = 10_000) {
        self.windowMS = windowMS
        self.maxPerSecond = maxPerSecond
        self.maxKeys = maxKeys
    }

    /// Decides about one violation at `now` (ms): returns it to send now, or nil
    /// when it is folded into a later summary.
    public mutating func admit(_ v: Violation, now: Int64) -> Violation? {
        let underCap = takeToken(now: now)
        guard windowMS > 0 else {
            return underCap ? v : nil  // without a window there is nothing to fold into
        }
        let key = v.throttleKey
        if var e = entries[key], now - e.opened < windowMS {
            e.held += v.count
            e.latest = v
            entries[key] = e
            folded += v.count
            if underCap { returnToken() }
            return nil
        }
        guard entries.count < maxKeys || entries[key] != nil else { return v }  // table full: pass through
        if underCap {
            entries[key] = Entry(opened: now, held: 0, latest: v)
            return v
        }
        entries[key] = Entry(opened: now, held: v.count, latest: v)
        folded += v.count
        return nil
    }

    /// Summaries of windows that closed by `now`: one violation per key with the
    /// number held back as its `count`.
    public mutating func closeWindows(now: Int64) -> [Violation] {
        var out: [Violation] = []
        for (key, e) in entries where now - e.opened >= windowMS {
            entries[key] = nil
            if e.held > 0 {
                var s = e.latest
                s.count = e.held
                s.timestamp = Timestamp(millisecondsSinceEpoch: now)
                out.append(s)
            }
        }
        return out.sorted { $0.audit.serial < $1.audit.serial }
    }

    /// Closes every window now (at shutdown).
    public mutating func flushAll(now: Int64) -> [Violation] {
        closeWindows(now: now + windowMS + 1)
    }

    /// When the next window closes (ms), if any is open.
    public var nextDeadline: Int64? { entries.values.map { $0.opened + windowMS }.min() }

    private mutating func takeToken(now: Int64) -> Bool {
        guard maxPerSecond > 0 else { return true }
        if now / 1000 != second {
            second = now / 1000
            sentThisSecond = 0
        }
        guard sentThisSecond < maxPerSecond else { return false }
        sentThisSecond += 1
        return true
    }

    private mutating func returnToken() {
        if maxPerSecond > 0 && sentThisSecond > 0 { sentThisSecond -= 1 }
    }
}
