/// A fixed-size open-addressing hash map from pid to slot number: the one hash
/// lookup on the attribution hot path. Linear probing, multiplicative hashing,
/// deletion by backward shift (no tombstones), no allocation after `init`.
///
/// Holds at most `maxCount` entries in a table of at least twice that size, so
/// probes stay short. Not thread-safe.
final class PidIndex {
    /// Key and value side by side, so a probe touches one cache line.
    private struct Entry {
        var pid: Int32  // 0 = empty (pid 0 is never indexed)
        var slot: Int32
    }

    private let entries: UnsafeMutableBufferPointer<Entry>
    private let mask: Int
    private let shift: Int
    private(set) var count = 0
    let maxCount: Int

    init(maxCount: Int) {
        precondition(maxCount > 0 && maxCount < Int(Int32.max) / 4, "PidIndex capacity out of range")
        self.maxCount = maxCount
        var size = 16
        while size < maxCount * 2 { size <<= 1 }
        entries = .allocate(capacity: size)
        entries.initialize(repeating: Entry(pid: 0, slot: 0))
        mask = size - 1
        shift = 64 - size.trailingZeroBitCount
    }

    deinit {
        entries.deallocate()
    }

    @inline(__always)
    private func home(_ pid: Int32) -> Int {
        // Fibonacci hashing: the top bits of pid * 2^64/φ.
        Int(truncatingIfNeeded: (UInt64(UInt32(bitPattern: pid)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The slot stored for `pid`, or nil.
    @inline(__always)
    func get(_ pid: Int32) -> Int? {
        var i = home(pid)
        while true {
            let e = entries[i]
            if e.pid == pid { return Int(e.slot) }
            if e.pid == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// Stores `slot` for `pid` (pid > 0). The caller keeps `count <= maxCount`.
    func set(_ pid: Int32, _ slot: Int) {
        precondition(pid != 0, "pid 0 cannot be indexed")
        var i = home(pid)
        while true {
            let k = entries[i].pid
            if k == pid {
                entries[i].slot = Int32(slot)
                return
            }
            if k == 0 {
                precondition(count < maxCount, "PidIndex over capacity")
                entries[i] = Entry(pid: pid, slot: Int32(slot))
                count += 1
                return
            }
            i = (i &+ 1) & mask
        }
    }

    /// Removes `pid` if present.
    func remove(_ pid: Int32) {
        var i = home(pid)
        while true {
            let k = entries[i].pid
            if k == 0 { return }
            if k == pid { break }
            i = (i &+ 1) & mask
        }
        // Backward-shift deletion: pull later members of the probe run into the hole.
        var hole = i
        var j = i
        while true {
            j = (j &+ 1) & mask
            let k = entries[j].pid
            if k == 0 { break }
            let h = home(k)
            // Move k into the hole if its home is not within (hole, j] cyclically.
            let inRange = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !inRange {
                entries[hole] = entries[j]
                hole = j
            }
        }
        entries[hole] = Entry(pid: 0, slot: 0)
        count -= 1
    }
}
