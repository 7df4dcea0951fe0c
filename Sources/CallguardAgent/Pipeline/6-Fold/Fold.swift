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
    /// What violations are grouped by: made of values the earlier stages already hold.
    public struct Key: Hashable, Sendable {
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

    private var table: FoldTable<Key>
    private let emit: (Violation) -> Void

    /// A fold with `settings`' window, rate cap and bounds, handing what goes out to `emit`.
    public init(_ settings: Throttle, emit: @escaping (Violation) -> Void) {
        table = FoldTable(
            windowMS: settings.windowMS, maxPerSecond: settings.maxPerSecond, maxKeys: settings.maxKeys,
            distinctPerKey: settings.distinctPerKey)
        self.emit = emit
    }

    /// Violations folded into a later summary (not lost), by cause.
    public var foldedByCause: [FoldCause: Int] { table.foldedByCause }

    /// One violation of `key`, whose finding is `finding` (see ``findingHash(_:)``),
    /// at `now` (ms). `make` builds it, and is called only when it goes out now or
    /// opens a finding whose summary will carry its details.
    public func admit(key: Key, finding: Int, serial: UInt64, time: Timestamp, now: Int64, make: () -> Violation) {
        closeWindows(now: now)
        if let out = table.admit(key: key, finding: finding, serial: serial, time: time, now: now, make: make) { emit(out) }
    }

    /// Sends the summaries of windows that closed by `now`, oldest first, as
    /// many as the rate cap allows (the rest wait for the next second).
    public func closeWindows(now: Int64) {
        guard let due = table.nextDeadline, due <= now else { return }
        for summary in table.closeWindows(now: now) { emit(summary) }
    }

    /// Closes every window now, regardless of the rate cap (at the end of the input).
    public func flushAll(now: Int64) {
        for summary in table.flushAll(now: now) { emit(summary) }
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
