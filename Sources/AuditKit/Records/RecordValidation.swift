import Glibc

/// The checks every whole record gets: it finds the ENRICHED format's 0x1D
/// separator and rejects what the kernel and auditd never write — a NUL byte,
/// or bytes that are not UTF-8 (the kernel hex-encodes every byte outside
/// 0x21...0x7E in process-controlled text; only auditd's interpreted names may
/// hold UTF-8). The bytes are read once (``LineScan``: log lines are scanned
/// by the line reader already); the UTF-8 check runs only on the rare record
/// with a byte of 0x80 or more.
enum RecordValidation {
    /// What the scan found.
    struct Scan {
        /// The offset of the first 0x1D at or after the scan's start, or the record's length.
        var groupSeparator: Int
    }

    /// Scans `s[0..<count]`; the separator is looked for from `from`.
    @inline(__always)
    static func scan(_ s: UnsafePointer<UInt8>, count: Int, separatorFrom from: Int) throws(RecordParseError) -> Scan {
        var rare = LineScan()
        LineScan.noteRareBytes(s, count: count, noting: &rare)
        return try check(rare, s, count: count, separatorFrom: from)
    }

    /// The same checks from a ``LineScan`` of the record: the record is only
    /// read again when it holds a byte of 0x80 or more, or a 0x1D before
    /// `from` (then the separator is looked for from `from`).
    @inline(__always)
    static func check(
        _ prescan: LineScan, _ s: UnsafePointer<UInt8>, count: Int, separatorFrom from: Int
    ) throws(RecordParseError) -> Scan {
        if prescan.nul < count { throw RecordParseError(.nulByte, at: prescan.nul) }
        var separator = min(prescan.groupSeparator, count)
        if separator < from {
            separator = count
            if from < count, let hit = memchr(s + from, 0x1D, count - from) {
                separator = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - s
            }
        }
        if prescan.hasHighBit, let bad = firstInvalidUTF8(s, count: count) {
            throw RecordParseError(.invalidUTF8, at: bad)
        }
        return Scan(groupSeparator: separator)
    }

    /// The offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs,
    /// no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ s: UnsafePointer<UInt8>, count: Int) -> Int? {
        var p = 0
        while p < count {
            let b0 = s[p]
            if b0 < 0x80 {
                p &+= 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return p
            }
            guard p + length <= count else { return p }
            let b1 = s[p + 1]
            guard b1 >= low, b1 <= high else { return p }
            for i in 2..<length where s[p + i] & 0xC0 != 0x80 { return p }
            p += length
        }
        return nil
    }
}
