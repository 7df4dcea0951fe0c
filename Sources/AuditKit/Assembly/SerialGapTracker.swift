/// Counts kernel serial numbers that never arrived: possible lost events.
///
/// Records of concurrent events interleave, so a serial may arrive after a
/// larger one. The tracker keeps a window of the last ``window`` serials as a
/// bitmap; a serial that leaves the window unseen counts as a gap. Serials are
/// 32-bit and wrap; a jump of more than a million backwards is taken as a
/// restarted kernel counter and tracking starts over. Fixed size, no allocation
/// after init.
public struct SerialGapTracker: Sendable {
    /// How far out of order a serial may arrive and still not count as lost.
    public static let window = 4096
    private static let words = window / 64

    private var bits: [UInt64]
    private var highest: UInt32 = 0
    private var started = false
    /// How many serials of the window are at or after the first one seen.
    private var covered = 0
    /// Serials that left the window unseen.
    public private(set) var gaps: UInt64 = 0

    public init() {
        bits = Array(repeating: 0, count: Self.words)
    }

    @inline(__always)
    private func isSet(_ serial: UInt32) -> Bool {
        let i = Int(serial) & (Self.window - 1)
        return bits[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    @inline(__always)
    private mutating func set(_ serial: UInt32, _ on: Bool) {
        let i = Int(serial) & (Self.window - 1)
        if on { bits[i >> 6] |= 1 << UInt64(i & 63) } else { bits[i >> 6] &= ~(1 << UInt64(i & 63)) }
    }

    /// Notes that `serial` arrived.
    @inline(__always)
    public mutating func observe(_ serial: UInt32) {
        // The other records of the newest event: nothing changes.
        if serial == highest, started { return }
        observeNew(serial)
    }

    private mutating func observeNew(_ serial: UInt32) {
        guard started else {
            started = true
            highest = serial
            covered = 1
            set(serial, true)
            return
        }
        let distance = Int32(bitPattern: serial &- highest)
        if distance == 0 { return }
        if distance < 0 {
            let back = -Int(distance)  // Int32.min has no Int32 negation
            if back < covered {
                set(serial, true)
            } else if back > 1_000_000 {
                restart(at: serial)
            }
            // Otherwise it is older than the window: already counted as a gap.
            return
        }
        if distance > 1_000_000 {
            restart(at: serial)
            return
        }
        let step = Int(distance)
        if step > Self.window {
            // The whole window leaves: its unseen serials are gaps, and so are the
            // ones jumped over that never enter it.
            var old = highest
            for _ in 0..<covered {
                if !isSet(old) { gaps += 1 }
                old &-= 1
            }
            gaps += UInt64(step - Self.window)
            for i in 0..<Self.words { bits[i] = 0 }
            covered = Self.window
            highest = serial
            set(serial, true)
            return
        }
        var next = serial &- UInt32(step) &+ 1
        for _ in 0..<step {
            // The slot `next` takes over held `next - window`.
            if covered == Self.window, !isSet(next) { gaps += 1 }
            set(next, false)
            covered = min(covered + 1, Self.window)
            next &+= 1
        }
        highest = serial
        set(serial, true)
    }

    /// At the end of a stream: serials still missing inside the window count as gaps.
    public mutating func finish() {
        guard started else { return }
        var serial = highest
        for _ in 0..<covered {
            if !isSet(serial) { gaps += 1 }
            set(serial, true)
            serial &-= 1
        }
    }

    private mutating func restart(at serial: UInt32) {
        for i in 0..<Self.words { bits[i] = 0 }
        highest = serial
        covered = 1
        set(serial, true)
    }
}
