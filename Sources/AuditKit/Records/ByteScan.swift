/// Word-at-a-time (SWAR) byte searches for the tokenisers' hot loops: eight
/// bytes are tested per step with the "has zero byte" trick, and the first
/// match is found with a trailing-zero count (x86_64 and aarch64 are little-endian).
/// Reads never go past `end`; the tail shorter than a word is scanned bytewise.
@usableFromInline
enum ByteScan {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The bytes of `word` equal to the byte repeated in `pattern`, as high bits.
    @inlinable @inline(__always)
    static func matches(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let v = word ^ pattern
        return (v &- ones) & ~v & highs
    }

    /// The offset of the first `needle` in `s[p..<end]`, or `end`.
    @inlinable @inline(__always)
    static func first(_ needle: UInt8, in s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var p = start
        let pattern = UInt64(needle) &* ones
        while p &+ 8 <= end {
            let m = matches(UnsafeRawPointer(s + p).loadUnaligned(as: UInt64.self), pattern)
            if m != 0 { return p &+ (m.trailingZeroBitCount &>> 3) }
            p &+= 8
        }
        while p < end, s[p] != needle { p &+= 1 }
        return p
    }

    /// The offset of the first `a` or `b` in `s[p..<end]`, or `end`.
    @inlinable @inline(__always)
    static func first(_ a: UInt8, or b: UInt8, in s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var p = start
        let pa = UInt64(a) &* ones
        let pb = UInt64(b) &* ones
        while p &+ 8 <= end {
            let w = UnsafeRawPointer(s + p).loadUnaligned(as: UInt64.self)
            let m = matches(w, pa) | matches(w, pb)
            if m != 0 { return p &+ (m.trailingZeroBitCount &>> 3) }
            p &+= 8
        }
        while p < end, s[p] != a, s[p] != b { p &+= 1 }
        return p
    }

    /// The first `n` (at most 8) bytes at `s[p]` as a little-endian integer,
    /// for dispatching on short keys with one compare. `p + n <= end` is required.
    @inlinable @inline(__always)
    static func key(_ s: UnsafePointer<UInt8>, at p: Int, length n: Int, end: Int) -> UInt64 {
        if n >= 8 {
            return UnsafeRawPointer(s + p).loadUnaligned(as: UInt64.self)
        }
        if p &+ 8 <= end {
            let w = UnsafeRawPointer(s + p).loadUnaligned(as: UInt64.self)
            return w & ((1 &<< UInt64(n &* 8)) &- 1)
        }
        var k: UInt64 = 0
        var i = 0
        while i < n {
            k |= UInt64(s[p &+ i]) &<< UInt64(i &* 8)
            i &+= 1
        }
        return k
    }
}
