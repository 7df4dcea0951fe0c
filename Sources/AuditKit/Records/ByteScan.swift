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

    /// The offset of the first space or double quote in `s[p..<end]`, or `end`.
    /// Both are found with one test: setting bit 1 maps 0x20 and 0x22, and
    /// nothing else, to 0x22.
    @inlinable @inline(__always)
    static func firstSpaceOrQuote(in s: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var p = start
        while p &+ 8 <= end {
            let m = spacesOrQuotes(load(s, at: p))
            if m != 0 { return p &+ (m.trailingZeroBitCount &>> 3) }
            p &+= 8
        }
        while p < end, s[p] | 0x02 != 0x22 { p &+= 1 }
        return p
    }

    /// The spaces and double quotes of `word` as high bits; the lowest is
    /// exact (bytes above a match may be flagged too). Zero bytes never match.
    @inlinable @inline(__always)
    static func spacesOrQuotes(_ word: UInt64) -> UInt64 {
        let v = (word | 0x0202_0202_0202_0202) ^ 0x2222_2222_2222_2222
        return (v &- ones) & ~v & highs
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

    /// The 8 bytes at `s[p]` as a little-endian integer (`p + 8 <= end` is required).
    @inlinable @inline(__always)
    static func load(_ s: UnsafePointer<UInt8>, at p: Int) -> UInt64 {
        UnsafeRawPointer(s + p).loadUnaligned(as: UInt64.self)
    }

    /// `literal` (at most 8 bytes) as a little-endian integer: folded to a
    /// constant at compile time.
    @inlinable @inline(__always)
    static func word(_ literal: StaticString) -> UInt64 {
        var k: UInt64 = 0
        var i = 0
        while i < literal.utf8CodeUnitCount {
            k |= UInt64(literal.utf8Start[i]) &<< UInt64(i &* 8)
            i &+= 1
        }
        return k
    }

    /// Whether the bytes at `s[p]` start with `literal` (at most 8 bytes):
    /// one load and one compare. `p + 8 <= end` is required.
    @inlinable @inline(__always)
    static func hasLiteral(_ literal: StaticString, in s: UnsafePointer<UInt8>, at p: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        let mask: UInt64 = n >= 8 ? ~0 : (1 &<< UInt64(n &* 8)) &- 1
        return load(s, at: p) & mask == word(literal)
    }

    /// The value of the `n` (1...8) ASCII digits at `s[p]`, or nil when one is
    /// not a digit. Reads 8 bytes: `p + 8 <= end` is required.
    @inlinable @inline(__always)
    static func digits(_ s: UnsafePointer<UInt8>, at p: Int, count n: Int) -> UInt64? {
        // The digits moved to the top of the word, the bytes below filled with '0'.
        let shift = UInt64((8 &- n) &* 8)
        let aligned = (load(s, at: p) &<< shift) | (0x3030_3030_3030_3030 & ((1 &<< shift) &- 1))
        return eightDigits(aligned)
    }

    /// The value of eight ASCII digits in `word` (first digit in the low byte),
    /// or nil if any byte is not a digit: all eight checked and combined in a
    /// few multiplies.
    @inlinable @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64? {
        let v = word &- 0x3030_3030_3030_3030
        // Every byte must be 0...9: no borrow (high bit) and no byte above 9.
        guard (v | (v &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 == 0 else { return nil }
        var x = (v &* 10) &+ (v &>> 8)
        x = ((x & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        x = ((x & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
        return x
    }
}
