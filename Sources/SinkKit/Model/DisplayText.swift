/// The one safe, lossless text form of untrusted bytes that every formatter uses.
///
/// - Well-formed, printable UTF-8 is kept as is.
/// - A backslash becomes `\\`, so the form stays unambiguous.
/// - Every other byte (C0 controls, DEL, C1 controls, and each byte of an
///   ill-formed UTF-8 sequence) becomes `\xNN` (lower-case hex).
///
/// The output therefore contains no control character at all, and the original
/// bytes can be recovered exactly. Each produced byte goes through the format's
/// `escape` closure, which handles what is special in that format (`"`, `|`, `=`).
public enum DisplayText {
    /// Writes the display form of `bytes`, passing each produced byte through `escape`.
    @inlinable
    public static func write<C: Collection>(
        _ bytes: C, into out: inout [UInt8], escape: (UInt8, inout [UInt8]) -> Void
    ) where C.Element == UInt8, C.Index == Int {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F {
                    writeHex(b, into: &out, escape: escape)
                } else if b == UInt8(ascii: "\\") {
                    escape(b, &out)
                    escape(b, &out)
                } else {
                    escape(b, &out)
                }
                i += 1
                continue
            }
            let n = validSequenceLength(bytes, at: i, end: end)
            if n == 0 {
                writeHex(b, into: &out, escape: escape)
                i += 1
            } else if n == 2 && b == 0xC2 && bytes[i + 1] < 0xA0 {
                // C1 control (U+0080..U+009F), e.g. NEL: a line break to some readers.
                writeHex(b, into: &out, escape: escape)
                writeHex(bytes[i + 1], into: &out, escape: escape)
                i += 2
            } else {
                for k in 0..<n { escape(bytes[i + k], &out) }
                i += n
            }
        }
    }

    @inlinable
    static func writeHex(_ b: UInt8, into out: inout [UInt8], escape: (UInt8, inout [UInt8]) -> Void) {
        let digits: StaticString = "0123456789abcdef"
        escape(UInt8(ascii: "\\"), &out)
        escape(UInt8(ascii: "x"), &out)
        digits.withUTF8Buffer { d in
            escape(d[Int(b >> 4)], &out)
            escape(d[Int(b & 0x0F)], &out)
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `i` (2...4), or 0
    /// when the bytes there are not one (Unicode's table 3-7).
    @inlinable
    static func validSequenceLength<C: Collection>(_ s: C, at i: Int, end: Int) -> Int
    where C.Element == UInt8, C.Index == Int {
        let b0 = s[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && s[i + k] >= lo && s[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0, 0xBF) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
