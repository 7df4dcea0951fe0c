/// The folding table behind ``Throttle`` (in each sink) and the agent's fold
/// stage: violations grouped by a key, each distinct finding (a caller's hash
/// of what makes it distinct: executable, command line, path) out at once
/// while the rate cap allows, its repeats within `windowMS` folded into one
/// summary carrying the first occurrence's details; see ``Throttle`` for the
/// whole contract. `make` builds a violation only when it goes out now or
/// opens a finding, so a caller that keys from parsed fields makes no
/// violation for a repeat.
public struct FoldTable<Key: Hashable & Sendable>: Sendable {
    /// How long repeats of a finding are folded together, in milliseconds.
    public var windowMS: Int64
    /// Messages allowed per second, summaries included (0: unlimited).
    public var maxPerSecond: Int
    /// The most keys tracked at once.
    public var maxKeys: Int
    /// The most distinct findings remembered per key and window.
    public var distinctPerKey: Int
    /// Violations folded into a later summary (not lost), by cause.
    public private(set) var foldedByCause: [FoldCause: Int] = [:]
    /// Violations folded into a later summary (not lost).
    public private(set) var folded = 0
    /// Violations folded as repeats of a finding held (``FoldCause/repeats``).
    public private(set) var repeatsFolded = 0

    public init(windowMS: Int64, maxPerSecond: Int, maxKeys: Int, distinctPerKey: Int) {
        self.windowMS = max(0, windowMS)
        self.maxPerSecond = max(0, maxPerSecond)
        self.maxKeys = max(1, maxKeys)
        self.distinctPerKey = max(1, distinctPerKey)
    }

    private struct Finding: Sendable {
        var first: Violation
        var hash: Int
        var opened: Int64
        var kind: Violation.Fold.Kind
        var held = 0
        var span: Violation.Fold?

        mutating func hold(count: Int, serial: UInt64, time: Timestamp) {
            held += count
            if span == nil {
                span = Violation.Fold(kind: kind, firstSerial: serial, lastSerial: serial, firstTime: time, lastTime: time)
            } else {
                span!.lastSerial = serial
                span!.lastTime = time
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

    private struct Entry: Sendable {
        var findings: [Finding] = []
        var overflow: Finding?
        /// Hashes of the findings beyond the budget sent at once in this window
        /// (at most `4 * distinctPerKey`, oldest first): their repeats fold.
        var sentBeyond: [Int] = []
        var isEmpty: Bool { findings.isEmpty && overflow == nil }
    }

    private var entries: [Key: Entry] = [:]
    private var tableOverflow: Finding?
    private var second: Int64 = 0
    private var sentThisSecond = 0
    private var summariesWaiting = false

    /// Decides about one violation of `key` whose finding is `finding` (a hash
    /// of what tells a key's findings apart), standing for `count`
    /// occurrences, the first at `serial` and `time`, at `now` (ms): returns
    /// it (made by `make`, called only when it goes out now or opens a finding
    /// whose summary will carry its details) to send now, or nil when it is folded.
    public mutating func admit(
        key: Key, finding: Int, count: Int = 1, serial: UInt64, time: Timestamp, now: Int64, make: () -> Violation
    ) -> Violation? {
        // Nothing held and nothing remembered (no window): a violation goes out
        // at once while the cap allows, as the general path below would send it,
        // without a key lookup or an entry.
        if windowMS == 0, entries.isEmpty, takeToken(now: now) { return make() }
        guard !entries.isEmpty, var entry = entries.removeValue(forKey: key) else {
            if entries.count >= maxKeys {
                if tableOverflow == nil { tableOverflow = Finding(first: make(), hash: finding, opened: now, kind: .tableFull) }
                tableOverflow!.hold(count: count, serial: serial, time: time)
                self.count(.tableFull, count)
                return nil
            }
            var entry = Entry()
            let out = newFinding(finding, count: count, serial: serial, time: time, now: now, into: &entry, make: make)
            if !entry.isEmpty { entries[key] = entry }
            return out
        }
        defer { entries[key] = entry }
        if let i = entry.findings.firstIndex(where: { $0.hash == finding }) {
            entry.findings[i].hold(count: count, serial: serial, time: time)
            self.count(.repeats, count)
            return nil
        }
        if entry.findings.count < distinctPerKey {
            return newFinding(finding, count: count, serial: serial, time: time, now: now, into: &entry, make: make)
        }
        // Beyond the budget: a new finding still goes out at once while the cap
        // allows (only its hash remembered), so that no number of earlier
        // decoys can turn it into a count in a decoy's summary.
        if !entry.sentBeyond.contains(finding), takeToken(now: now) {
            if entry.sentBeyond.count >= 4 * distinctPerKey { entry.sentBeyond.removeFirst() }
            entry.sentBeyond.append(finding)
            return make()
        }
        if entry.overflow == nil { entry.overflow = Finding(first: make(), hash: finding, opened: now, kind: .distinctOverflow) }
        entry.overflow!.hold(count: count, serial: serial, time: time)
        self.count(.distinctOverflow, count)
        return nil
    }

    /// A finding not seen in this window: out now if the cap allows (and
    /// remembered for `windowMS`), else held back whole for a summary.
    private mutating func newFinding(
        _ hash: Int, count: Int, serial: UInt64, time: Timestamp, now: Int64, into entry: inout Entry,
        make: () -> Violation
    ) -> Violation? {
        let first = make()
        if takeToken(now: now) {
            if windowMS > 0 { entry.findings.append(Finding(first: first, hash: hash, opened: now, kind: .repeats)) }
            return first
        }
        var finding = Finding(first: first, hash: hash, opened: now, kind: .repeats)
        finding.hold(count: count, serial: serial, time: time)
        entry.findings.append(finding)
        self.count(.rateLimited, count)
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

    /// How many keys the table holds (at most `maxKeys`).
    public var keyCount: Int { entries.count }

    /// When the next window closes or a waiting summary may go (ms), if any.
    public var nextDeadline: Int64? {
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

    private mutating func close(now: Int64, capped: Bool) -> [Violation] {
        var due: [(opened: Int64, serial: UInt64, key: Key?, index: Int)] = []  // index -1: overflow
        for (key, entry) in entries {
            for (i, f) in entry.findings.enumerated() where now - f.opened >= windowMS {
                due.append((f.opened, f.first.audit.serial, key, i))
            }
            if let f = entry.overflow, now - f.opened >= windowMS { due.append((f.opened, f.first.audit.serial, key, -1)) }
        }
        if let f = tableOverflow, now - f.opened >= windowMS { due.append((f.opened, f.first.audit.serial, nil, -1)) }
        summariesWaiting = false
        guard !due.isEmpty else { return [] }
        due.sort { ($0.opened, $0.serial) < ($1.opened, $1.serial) }
        var out: [Violation] = []
        var closed: [Key: [Int]] = [:]
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
        if cause == .repeats { repeatsFolded += n }
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
