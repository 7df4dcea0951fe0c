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
    /// How long repeats of a finding are folded together, in milliseconds (0:
    /// no folding of repeats; the rate cap still folds what it holds back).
    public var windowMS: Int64
    /// Messages allowed per second, summaries included (0: unlimited).
    public var maxPerSecond: Int
    /// The most keys tracked at once; beyond it, violations of new keys fold into
    /// one table-wide summary.
    public var maxKeys: Int
    /// The most distinct findings (executable, command line, path) remembered per
    /// key and window; beyond it, new ones are sent while the cap allows and the
    /// rest fold into the key's overflow summary.
    public var distinctPerKey: Int

    /// Violations folded into a later summary (not lost), by cause.
    public private(set) var foldedByCause: [FoldCause: Int] = [:]
    /// Violations folded into a later summary (not lost).
    public private(set) var folded = 0

    private struct Finding: Sendable {
        var first: Violation
        var opened: Int64
        var kind: Violation.Fold.Kind
        var held = 0
        var span: Violation.Fold?

        init(first: Violation, opened: Int64, kind: Violation.Fold.Kind) {
            self.first = first
            self.opened = opened
            self.kind = kind
        }

        mutating func hold(_ v: Violation) {
            held += v.count
            if span == nil {
                span = Violation.Fold(
                    kind: kind, firstSerial: v.audit.serial, lastSerial: v.audit.serial, firstTime: v.audit.time,
                    lastTime: v.audit.time)
            } else {
                span!.lastSerial = v.audit.serial
                span!.lastTime = v.audit.time
            }
        }

        func summary(now: Int64) -> Violation {
            var s = first
            s.count = held
            s.timestamp = Timestamp(millisecondsSinceEpoch: now)
            s.fold = span
            return s
        }
    }

    private struct KeyEntry: Sendable {
        var findings: [Finding] = []
        var overflow: Finding?
        /// Hashes of the findings beyond the budget sent at once in this window
        /// (at most `4 * distinctPerKey`, oldest first): their repeats fold.
        var sentBeyond: [Int] = []
        var isEmpty: Bool { findings.isEmpty && overflow == nil }
    }

    private var entries: [Violation.FoldKey: KeyEntry] = [:]
    private var tableOverflow: Finding?
    private var second: Int64 = 0
    private var sentThisSecond = 0
    /// Whether a closed window's summary is waiting for a token.
    private var summariesWaiting = false

    public init(windowMS: Int64 = 10_000, maxPerSecond: Int = 100, maxKeys: Int = 10_000, distinctPerKey: Int = 8) {
        self.windowMS = max(0, windowMS)
        self.maxPerSecond = max(0, maxPerSecond)
        self.maxKeys = max(1, maxKeys)
        self.distinctPerKey = max(1, distinctPerKey)
    }

    /// Decides about one violation at `now` (ms): returns it to send now, or nil
    /// when it is folded into a later summary.
    public mutating func admit(_ v: Violation, now: Int64) -> Violation? {
        let key = v.foldKey
        guard var entry = entries.removeValue(forKey: key) else {
            if entries.count >= maxKeys {
                if tableOverflow == nil { tableOverflow = Finding(first: v, opened: now, kind: .tableFull) }
                tableOverflow!.hold(v)
                count(.tableFull, v.count)
                return nil
            }
            var entry = KeyEntry()
            let out = newFinding(v, now: now, into: &entry)
            if !entry.isEmpty { entries[key] = entry }
            return out
        }
        defer { entries[key] = entry }
        if let i = entry.findings.firstIndex(where: { $0.first.isSameFinding(as: v) }) {
            entry.findings[i].hold(v)
            count(.repeats, v.count)
            return nil
        }
        if entry.findings.count < distinctPerKey {
            return newFinding(v, now: now, into: &entry)
        }
        // Beyond the budget: a new finding still goes out at once while the cap
        // allows (not remembered, only its hash), so that no number of earlier
        // decoys can turn it into a count in a decoy's summary.
        var hasher = Hasher()
        hasher.combine(v.process.executable)
        hasher.combine(v.process.commandLine)
        hasher.combine(v.process.filePath)
        let hash = hasher.finalize()
        if !entry.sentBeyond.contains(hash), takeToken(now: now) {
            if entry.sentBeyond.count >= 4 * distinctPerKey { entry.sentBeyond.removeFirst() }
            entry.sentBeyond.append(hash)
            return v
        }
        if entry.overflow == nil { entry.overflow = Finding(first: v, opened: now, kind: .distinctOverflow) }
        entry.overflow!.hold(v)
        count(.distinctOverflow, v.count)
        return nil
    }

    /// A finding not seen in this window: out now if the cap allows (and
    /// remembered for `windowMS`), else held back whole for a summary.
    private mutating func newFinding(_ v: Violation, now: Int64, into entry: inout KeyEntry) -> Violation? {
        var finding = Finding(first: v, opened: now, kind: .repeats)
        if takeToken(now: now) {
            if windowMS > 0 { entry.findings.append(finding) }
            return v
        }
        finding.hold(v)
        entry.findings.append(finding)
        count(.rateLimited, v.count)
        return nil
    }

    /// Summaries of windows that closed by `now`, oldest first, as many as the
    /// rate cap allows (the rest wait for the next second).
    public mutating func closeWindows(now: Int64) -> [Violation] {
        close(now: now, capped: true)
    }

    /// Closes every window now, regardless of the rate cap (at shutdown).
    public mutating func flushAll(now: Int64) -> [Violation] {
        close(now: now + windowMS + 1, capped: false)
    }

    /// When the next window closes or a waiting summary may go (ms), if any.
    public var nextDeadline: Int64? {
        // While a summary waits for a token, nothing can go before the next second.
        let notBefore: Int64 = summariesWaiting ? (second + 1) * 1000 : .min
        var next: Int64?
        func consider(_ f: Finding) {
            let due = max(f.opened + windowMS, notBefore)
            if next == nil || due < next! { next = due }
        }
        for entry in entries.values {
            for f in entry.findings { consider(f) }
            if let f = entry.overflow { consider(f) }
        }
        if let f = tableOverflow { consider(f) }
        return next
    }

    /// How many keys the table holds (at most `maxKeys`).
    public var keyCount: Int { entries.count }

    private mutating func close(now: Int64, capped: Bool) -> [Violation] {
        var due: [(opened: Int64, serial: UInt64, key: Violation.FoldKey?, index: Int)] = []  // index -1: overflow
        for (key, entry) in entries {
            for (i, f) in entry.findings.enumerated() where now - f.opened >= windowMS {
                due.append((f.opened, f.first.audit.serial, key, i))
            }
            if let f = entry.overflow, now - f.opened >= windowMS { due.append((f.opened, f.first.audit.serial, key, -1)) }
        }
        if let f = tableOverflow, now - f.opened >= windowMS { due.append((f.opened, f.first.audit.serial, nil, -1)) }
        guard !due.isEmpty else {
            summariesWaiting = false
            return []
        }
        due.sort { ($0.opened, $0.serial) < ($1.opened, $1.serial) }
        var out: [Violation] = []
        var closed: [Violation.FoldKey: [Int]] = [:]
        summariesWaiting = false
        for d in due {
            let finding: Finding
            if let key = d.key {
                finding = d.index < 0 ? entries[key]!.overflow! : entries[key]!.findings[d.index]
            } else {
                finding = tableOverflow!
            }
            if finding.held > 0 {
                if capped && !takeToken(now: now) {
                    summariesWaiting = true
                    continue
                }
                out.append(finding.summary(now: now))
            }
            if let key = d.key { closed[key, default: []].append(d.index) } else { tableOverflow = nil }
        }
        for (key, indices) in closed {
            var entry = entries[key]!
            for i in indices.sorted(by: >) {
                if i < 0 { entry.overflow = nil } else { entry.findings.remove(at: i) }
            }
            entries[key] = entry.isEmpty ? nil : entry
        }
        return out
    }

    private mutating func count(_ cause: FoldCause, _ n: Int) {
        foldedByCause[cause, default: 0] += n
        folded += n
    }

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
}
