/// Counts serial numbers that never arrived.
///
/// Records of concurrent events interleave, so a serial may arrive after a
/// larger one. The tracker keeps a window of the last ``window`` serials as a
/// bitmap; a serial that leaves the window unseen counts as a gap. What a gap
/// means depends on the ``Source``:
///
/// - ``Source/kernelStream`` (the live netlink stream): the kernel numbers its
///   events consecutively per boot, so every serial skipped is an event lost on
///   the way, however far the jump (up to ``restartDistance``). A move of more
///   than that, either way, is a restarted counter (a reboot): tracking starts
///   over. Serials are 32-bit and wrap: 2^32 - 1 is followed by 0, a step of one.
/// - ``Source/file`` (an audit log): a file holds whatever its writer kept
///   (ausearch output, a rotated or filtered log), so a serial it lacks is not
///   proof of loss. Only serials lying between two of the file's own serials
///   that are at most ``window`` apart are counted (``gaps``, reported as
///   `serials_missing`); a farther move is a ``jumps`` and claims nothing, so the
///   count is at most `window - 1` per serial seen, whatever the file says.
///
/// Fixed size, no allocation after init; the work per serial is bounded by the
/// window's 64 words.
public struct SerialGapTracker: Sendable {
    /// Where the serials come from, which decides what a gap means.
    public enum Source: Sendable, Hashable {
        /// The kernel's own stream (netlink): consecutive per boot, so gaps are loss.
        case kernelStream
        /// An audit log file: gaps are serials the file lacks, not loss.
        case file
    }

    /// How far out of order a serial may arrive and still not count as a gap.
    public static let window = 4096
    /// A move of the kernel's counter farther than this (either way) is taken
    /// as a restart (reboot), not as loss.
    public static let restartDistance = 1_000_000
    private static let words = window / 64

    /// What the serials are.
    public let source: Source
    private var bits: [UInt64]
    private var highest: UInt32 = 0
    private var started = false
    /// How many serials of the window are at or after the first one seen.
    private var covered = 0
    /// Serials that left the window unseen (see ``Source`` for what they mean).
    public private(set) var gaps: UInt64 = 0
    /// Moves too far to count: counter restarts, and in a file, forward jumps
    /// past the window.
    public private(set) var jumps: UInt64 = 0

    public init(source: Source = .kernelStream) {
        self.source = source
        bits = Array(repeating: 0, count: Self.words)
    }

    @inline(__always)
    private func isSet(_ serial: UInt32) -> Bool {
        let i = Int(serial) & (Self.window - 1)
        return bits[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    @inline(__always)
    private mutating func set(_ serial: UInt32) {
        let i = Int(serial) & (Self.window - 1)
        bits[i >> 6] |= 1 << UInt64(i & 63)
    }

    /// How many of the `count` slots from `serial`'s on (wrapping) are set.
    private func setCount(from serial: UInt32, count: Int) -> Int {
        var i = Int(serial) & (Self.window - 1)
        var left = count
        var total = 0
        while left > 0 {
            let bit = i & 63
            let n = min(64 - bit, left)
            let mask: UInt64 = n == 64 ? ~0 : ((1 << UInt64(n)) &- 1) << UInt64(bit)
            total += (bits[i >> 6] & mask).nonzeroBitCount
            left -= n
            i = (i + n) & (Self.window - 1)
        }
        return total
    }

    /// Sets (or clears) the `count` slots from `serial`'s on (wrapping).
    private mutating func fill(from serial: UInt32, count: Int, _ on: Bool) {
        var i = Int(serial) & (Self.window - 1)
        var left = count
        while left > 0 {
            let bit = i & 63
            let n = min(64 - bit, left)
            let mask: UInt64 = n == 64 ? ~0 : ((1 << UInt64(n)) &- 1) << UInt64(bit)
            if on { bits[i >> 6] |= mask } else { bits[i >> 6] &= ~mask }
            left -= n
            i = (i + n) & (Self.window - 1)
        }
    }

    /// Unseen serials of the window: those between the first one tracked and the highest.
    private func unseenInWindow() -> Int {
        covered - setCount(from: highest &- UInt32(covered - 1), count: covered)
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
            set(serial)
            return
        }
        let distance = Int32(bitPattern: serial &- highest)
        if distance == 0 { return }
        if distance < 0 {
            let back = -Int(distance)  // Int32.min has no Int32 negation
            if back < covered {
                set(serial)
            } else if back > Self.restartDistance {
                restart(at: serial)
            }
            // Otherwise it is older than the window: already counted as a gap.
            return
        }
        let step = Int(distance)
        if step == 1 {
            // The common case: the slot taken over held `serial - window`.
            if covered == Self.window {
                if !isSet(serial) { gaps &+= 1 }
            } else {
                covered += 1
            }
            highest = serial
            set(serial)
            return
        }
        if step > Self.restartDistance || (source == .file && step > Self.window) {
            restart(at: serial)
            return
        }
        if step > Self.window {
            // Kernel stream: the whole window leaves, its unseen serials are
            // gaps, and so are the ones jumped over that never enter it.
            gaps &+= UInt64(unseenInWindow()) &+ UInt64(step - Self.window)
            fill(from: 0, count: Self.window, false)
            covered = Self.window
            highest = serial
            set(serial)
            return
        }
        // The slots of highest+1 ... serial held highest+1-window ...; those of
        // them that were tracked (the oldest `leaving` serials) leave the window.
        let leaving = max(0, covered + step - Self.window)
        if leaving > 0 {
            let oldest = highest &- UInt32(covered - 1)
            gaps &+= UInt64(leaving - setCount(from: oldest, count: leaving))
        }
        fill(from: highest &+ 1, count: step, false)
        covered = min(covered + step, Self.window)
        highest = serial
        set(serial)
    }

    /// At the end of a stream: serials still missing inside the window count as gaps.
    public mutating func finish() {
        guard started else { return }
        gaps &+= UInt64(unseenInWindow())
        fill(from: highest &- UInt32(covered - 1), count: covered, true)
    }

    /// Starts over at `serial`: the window's unseen serials (between two seen
    /// ones) are gaps; the move itself is a jump.
    private mutating func restart(at serial: UInt32) {
        gaps &+= UInt64(unseenInWindow())
        jumps &+= 1
        fill(from: 0, count: Self.window, false)
        highest = serial
        covered = 1
        set(serial)
    }
}
