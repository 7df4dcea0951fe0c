import AuditKit
import SinkKit

/// Stage 6, fold: one throttle before every sink, so that a container looping
/// on a forbidden syscall cannot flood the SIEM, and so that no later
/// violation can replace the evidence of an earlier one. It runs on the
/// pipeline's thread, before any string of a violation is made: a violation's
/// key (container, image, arch, syscall number) and its finding (the
/// executable, command line and path as the kernel wrote them, hashed in
/// place) come from parsed fields, and a repeat of a finding already seen is
/// counted (serial, time) without ever being turned into a ``Violation``.
///
/// The semantics are those of SinkKit's ``SinkKit/Throttle``: within a key,
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
    /// What violations are grouped by: made of values the earlier stages already hold.
    public struct Key: Hashable {
        /// The container's id ("" when none is known).
        public var containerID: String
        /// The container's image name ("" when not known).
        public var imageName: String
        /// The audit arch.
        public var arch: UInt32
        /// The syscall number.
        public var syscall: Int32

        public init(containerID: String, imageName: String, arch: UInt32, syscall: Int32) {
            self.containerID = containerID
            self.imageName = imageName
            self.arch = arch
            self.syscall = syscall
        }
    }

    /// The throttle's settings (the same as the sinks' ``SinkKit/Throttle``).
    public let settings: Throttle
    /// Violations folded into a later summary (not lost), by cause.
    public private(set) var foldedByCause: [FoldCause: Int] = [:]
    private let emit: (Violation) -> Void

    private struct Finding {
        var first: Violation
        var hash: Int
        var opened: Int64
        var kind: Violation.Fold.Kind
        var held = 0
        var span: Violation.Fold?

        mutating func hold(serial: UInt64, time: Timestamp) {
            held += 1
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

    private struct Entry {
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

    /// A fold with `settings`' window, rate cap and bounds, handing what goes out to `emit`.
    public init(_ settings: Throttle, emit: @escaping (Violation) -> Void) {
        self.settings = settings
        self.emit = emit
    }

    /// Violations folded so far (not lost).
    public var folded: Int { foldedByCause.values.reduce(0, +) }

    /// One violation of `key`, whose finding is `finding` (see ``findingHash(_:)``),
    /// at `now` (ms). `make` builds it, and is called only when it goes out now or
    /// opens a finding whose summary will carry its details.
    public func admit(key: Key, finding: Int, serial: UInt64, time: Timestamp, now: Int64, make: () -> Violation) {
        closeWindows(now: now)
        guard var entry = entries.removeValue(forKey: key) else {
            if entries.count >= settings.maxKeys {
                if tableOverflow == nil { tableOverflow = Finding(first: make(), hash: finding, opened: now, kind: .tableFull) }
                tableOverflow!.hold(serial: serial, time: time)
                count(.tableFull)
                return
            }
            var entry = Entry()
            newFinding(finding, now: now, into: &entry, make: make)
            if !entry.isEmpty { entries[key] = entry }
            return
        }
        defer { entries[key] = entry }
        if let i = entry.findings.firstIndex(where: { $0.hash == finding }) {
            entry.findings[i].hold(serial: serial, time: time)
            count(.repeats)
            return
        }
        if entry.findings.count < settings.distinctPerKey {
            newFinding(finding, now: now, into: &entry, make: make)
            return
        }
        // Beyond the budget: a new finding still goes out at once while the cap
        // allows (only its hash remembered), so that no number of earlier
        // decoys can turn it into a count in a decoy's summary.
        if !entry.sentBeyond.contains(finding), takeToken(now: now) {
            if entry.sentBeyond.count >= 4 * settings.distinctPerKey { entry.sentBeyond.removeFirst() }
            entry.sentBeyond.append(finding)
            emit(make())
            return
        }
        if entry.overflow == nil { entry.overflow = Finding(first: make(), hash: finding, opened: now, kind: .distinctOverflow) }
        entry.overflow!.hold(serial: serial, time: time)
        count(.distinctOverflow)
    }

    private func newFinding(_ hash: Int, now: Int64, into entry: inout Entry, make: () -> Violation) {
        let first = make()
        var finding = Finding(first: first, hash: hash, opened: now, kind: .repeats)
        if takeToken(now: now) {
            if settings.windowMS > 0 { entry.findings.append(finding) }
            emit(first)
            return
        }
        finding.hold(serial: first.audit.serial, time: first.audit.time)
        entry.findings.append(finding)
        count(.rateLimited)
    }

    /// Sends the summaries of windows that closed by `now`, oldest first, as
    /// many as the rate cap allows (the rest wait for the next second).
    public func closeWindows(now: Int64) {
        guard let due = nextDeadline, due <= now else { return }
        close(now: now, capped: true)
    }

    /// Closes every window now, regardless of the rate cap (at the end of the input).
    public func flushAll(now: Int64) {
        close(now: now + settings.windowMS + 1, capped: false)
    }

    /// When the next window closes or a waiting summary may go (ms), if any.
    var nextDeadline: Int64? {
        let notBefore: Int64 = summariesWaiting ? (second + 1) * 1000 : .min
        var next: Int64?
        func consider(_ f: Finding) {
            let due = max(f.opened + settings.windowMS, notBefore)
            if next == nil || due < next! { next = due }
        }
        for entry in entries.values {
            for f in entry.findings { consider(f) }
            if let f = entry.overflow { consider(f) }
        }
        if let f = tableOverflow { consider(f) }
        return next
    }

    private func close(now: Int64, capped: Bool) {
        var due: [(opened: Int64, serial: UInt64, key: Key?, index: Int)] = []  // index -1: overflow
        for (key, entry) in entries {
            for (i, f) in entry.findings.enumerated() where now - f.opened >= settings.windowMS {
                due.append((f.opened, f.first.audit.serial, key, i))
            }
            if let f = entry.overflow, now - f.opened >= settings.windowMS { due.append((f.opened, f.first.audit.serial, key, -1)) }
        }
        if let f = tableOverflow, now - f.opened >= settings.windowMS { due.append((f.opened, f.first.audit.serial, nil, -1)) }
        summariesWaiting = false
        guard !due.isEmpty else { return }
        due.sort { ($0.opened, $0.serial) < ($1.opened, $1.serial) }
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
                emit(finding.summary(now: now))
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
    }

    private func count(_ cause: FoldCause) {
        foldedByCause[cause, default: 0] += 1
    }

    private func takeToken(now: Int64) -> Bool {
        guard settings.maxPerSecond > 0 else { return true }
        if now / 1000 != second {
            second = now / 1000
            sentThisSecond = 0
        }
        guard sentThisSecond < settings.maxPerSecond else { return false }
        sentThisSecond += 1
        return true
    }

    /// A finding's identity: the executable, command line and path as the
    /// kernel wrote them (undecoded), hashed in place.
    public static func findingHash(_ event: SyscallEvent) -> Int {
        var hasher = Hasher()
        func combine(_ field: AuditField?) {
            if let field {
                hasher.combine(UInt8(1))
                hasher.combine(bytes: UnsafeRawBufferPointer(field.value.buffer))
            } else {
                hasher.combine(UInt8(0))
            }
        }
        combine(event.summary.exe)
        combine(event.proctitleField)
        combine(event.pathField)
        return hasher.finalize()
    }
}
