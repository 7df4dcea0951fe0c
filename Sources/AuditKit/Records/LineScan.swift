/// What one pass over a record found: the rare bytes the parser must reject
/// or split on. ``LogLineReader`` gathers these while it looks for a line's
/// newline, so that the parser does not read the line again; a netlink
/// payload gets the same pass from ``RecordValidation``.
///
/// A "rare" byte is a control byte (below 0x20) or one of 0x80 and above: a
/// line as auditd writes it has none but its newline and, in the ENRICHED
/// format, one 0x1D. Thirty-two bytes are tested per step with one signed
/// compare; only a step that holds a rare byte is looked at more closely.
struct LineScan: Equatable {
    /// The offset of the first 0x1D (the ENRICHED separator), or `Int.max`.
    var groupSeparator = Int.max
    /// The offset of the first NUL byte, or `Int.max`.
    var nul = Int.max
    /// Whether any byte is 0x80 or more (then the line's UTF-8 must be checked).
    var hasHighBit = false

    /// Finds the first newline in `s[start..<end]` and returns its offset, or
    /// `end` when there is none; the rare bytes before it are noted in `scan`,
    /// at offsets relative to `start`.
    @inline(__always)
    static func findNewline(_ s: UnsafePointer<UInt8>, from start: Int, to end: Int, noting scan: inout LineScan) -> Int {
        scanRareBytes(s, from: start, to: end, stoppingAtNewline: true, noting: &scan)
    }

    /// Notes the rare bytes of a whole record, `s[0..<count]` (a netlink
    /// payload: a newline there is just another control byte).
    @inline(__always)
    static func noteRareBytes(_ s: UnsafePointer<UInt8>, count: Int, noting scan: inout LineScan) {
        _ = scanRareBytes(s, from: 0, to: count, stoppingAtNewline: false, noting: &scan)
    }

    @inline(__always)
    private static func scanRareBytes(
        _ s: UnsafePointer<UInt8>, from start: Int, to end: Int, stoppingAtNewline: Bool, noting scan: inout LineScan
    ) -> Int {
        let raw = UnsafeRawPointer(s)
        var p = start
        while true {
            while p &+ 32 <= end {
                let a = raw.loadUnaligned(fromByteOffset: p, as: SIMD16<Int8>.self)
                let b = raw.loadUnaligned(fromByteOffset: p &+ 16, as: SIMD16<Int8>.self)
                if holdsRare(a, b) { break }
                p &+= 32
            }
            // The rare byte's exact place: eight bytes per step (the lowest flagged
            // byte of a word is exact), then the tail byte by byte.
            while p &+ 8 <= end {
                let word = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
                let flagged = ((word &- 0x2020_2020_2020_2020) | word) & 0x8080_8080_8080_8080
                if flagged != 0 {
                    p &+= flagged.trailingZeroBitCount &>> 3
                    break
                }
                p &+= 8
            }
            while p < end, Int8(bitPattern: s[p]) >= 0x20 { p &+= 1 }
            guard p < end else { return end }
            switch s[p] {
            case 0x0A:
                if stoppingAtNewline { return p }
            case 0x1D:
                if scan.groupSeparator == .max { scan.groupSeparator = p &- start }
            case 0x00:
                if scan.nul == .max { scan.nul = p &- start }
            default:
                if s[p] >= 0x80 { scan.hasHighBit = true }
            }
            p &+= 1
        }
    }

    /// Whether any of the 32 bytes is below 0x20 or at least 0x80 (as a signed
    /// byte, below 0x20: one compare per 16 bytes).
    @inline(__always)
    private static func holdsRare(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> Bool {
        let limit = SIMD16<Int8>(repeating: 0x20)
        let none = SIMD16<Int8>(repeating: 0)
        let flags = none.replacing(with: -1, where: a .< limit) | none.replacing(with: -1, where: b .< limit)
        let words = unsafeBitCast(flags, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }
}
