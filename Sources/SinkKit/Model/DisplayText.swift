/// How one output format escapes the bytes of display text.
///
/// A static requirement (not a closure) so that the display-text writer is
/// specialised per format and copies unescaped runs in bulk.
public protocol ByteEscaper {
    /// Whether `b` (printable ASCII, or a byte of well-formed UTF-8) must be escaped.
    static func needsEscape(_ b: UInt8) -> Bool
    /// Appends the escaped form of `b`.
    static func escape(_ b: UInt8, into out: inout [UInt8])
    /// Whether this format escapes `\` as `\\` and leaves `x` alone (a fast path for `\xNN`).
    static var doublesBackslash: Bool { get }
    /// Whether every byte of `word` (eight bytes read at once) is printable
    /// ASCII (0x20...0x7E), not `\`, and left alone by this format: such a
    /// word is copied without a look at each byte. False is always safe.
    static func isPlainWord(_ word: UInt64) -> Bool
}

extension ByteEscaper {
    @inlinable public static var doublesBackslash: Bool { false }
    @inlinable public static func isPlainWord(_ word: UInt64) -> Bool { false }
}

/// Tests on eight bytes at once (each exact as to whether some byte matches).
public enum ByteWord {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is `byte`.
    @inlinable
    public static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs != 0
    }

    /// Whether every byte of `word` is printable ASCII (0x20...0x7E) and not `\`.
    @inlinable
    public static func isPrintableWithoutBackslash(_ word: UInt64) -> Bool {
        let below = (word &- ones &* 0x20) & ~word & highs  // some byte < 0x20
        let above = ((word &+ ones &* (127 - 0x7E)) | word) & highs  // some byte > 0x7E
        return below | above == 0 && !contains(word, UInt8(ascii: "\\"))
    }
}

/// The one safe, lossless text form of untrusted bytes that every formatter uses.
///
/// - Well-formed, printable UTF-8 is kept as is.
/// - A backslash becomes `\\`, so the form stays unambiguous.
/// - Every other byte (C0 controls, DEL, C1 controls such as NEL, bidirectional
///   controls such as RLO U+202E, the line and paragraph separators U+2028 and
///   U+2029, and each byte of an ill-formed UTF-8 sequence) becomes `\xNN`
///   (lower-case hex), so RLO shows as `\xe2\x80\xae`.
///
/// The output therefore contains no control character at all, nothing that
/// reorders or breaks the displayed text, and the original bytes can be
/// recovered exactly. JSON's own `\u202e` is not used for these: every JSON
/// reader would decode it back to the code point itself. Each produced byte goes through the format's
/// ``ByteEscaper``, which handles what is special in that format (`"`, `|`, `=`).
public enum DisplayText {
    /// Writes the display form of `bytes`, escaped for format `E`.
    @inlinable
    public static func write<E: ByteEscaper>(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], _: E.Type) {
        var i = 0
        let end = bytes.count
        while i < end {
            // Fast path: a run of printable ASCII that the format leaves alone.
            var j = i
            if let base = bytes.baseAddress {
                while j &+ 8 <= end, E.isPlainWord(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self)) { j &+= 8 }
            }
            while j < end {
                let b = bytes[j]
                if b < 0x20 || b >= 0x7F || b == UInt8(ascii: "\\") || E.needsEscape(b) { break }
                j += 1
            }
            if j > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
                i = j
                if i == end { break }
            }
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F {
                    writeHex(b, into: &out, E.self)
                } else if b == UInt8(ascii: "\\") {
                    emit(b, &out, E.self)
                    emit(b, &out, E.self)
                } else {
                    emit(b, &out, E.self)
                }
                i += 1
                continue
            }
            let n = validSequenceLength(bytes, at: i)
            if n == 0 {
                writeHex(b, into: &out, E.self)
                i += 1
            } else if isInvisibleControl(bytes, at: i, length: n) {
                for k in 0..<n { writeHex(bytes[i + k], into: &out, E.self) }
                i += n
            } else {
                for k in 0..<n { emit(bytes[i + k], &out, E.self) }
                i += n
            }
        }
    }

    /// Whether the display form of `bytes` for format `E` is `bytes` itself:
    /// every byte printable ASCII, none a backslash or special to `E`.
    @inlinable
    public static func isPlain<E: ByteEscaper>(_ bytes: UnsafeBufferPointer<UInt8>, _: E.Type) -> Bool {
        var i = 0
        let end = bytes.count
        if let base = bytes.baseAddress {
            while i &+ 8 <= end, E.isPlainWord(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i &+= 8 }
        }
        while i < end {
            let b = bytes[i]
            if b < 0x20 || b >= 0x7F || b == UInt8(ascii: "\\") || E.needsEscape(b) { return false }
            i &+= 1
        }
        return true
    }

    /// Writes the display form of `bytes`, escaped for format `E`.
    @inlinable
    public static func write<E: ByteEscaper>(_ bytes: [UInt8], into out: inout [UInt8], _: E.Type) {
        bytes.withUnsafeBufferPointer { write($0, into: &out, E.self) }
    }

    /// Writes the display form of `string`'s UTF-8, escaped for format `E`.
    @inlinable
    public static func write<E: ByteEscaper>(_ string: String, into out: inout [UInt8], _: E.Type) {
        // A native string's bytes are read in place; only another kind is copied first.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { write($0, into: &out, E.self) }
        if done == nil {
            var s = string
            s.withUTF8 { write($0, into: &out, E.self) }
        }
    }

    @inlinable
    static func emit<E: ByteEscaper>(_ b: UInt8, _ out: inout [UInt8], _: E.Type) {
        if E.needsEscape(b) { E.escape(b, into: &out) } else { out.append(b) }
    }

    @inlinable
    static func writeHex<E: ByteEscaper>(_ b: UInt8, into out: inout [UInt8], _: E.Type) {
        let hex: StaticString = "0123456789abcdef"
        let backslash = UInt8(ascii: "\\")
        let x = UInt8(ascii: "x")
        hex.withUTF8Buffer { d in
            if E.doublesBackslash {
                var five: (UInt8, UInt8, UInt8, UInt8, UInt8) = (backslash, backslash, x, d[Int(b >> 4)], d[Int(b & 0x0F)])
                Swift.withUnsafeBytes(of: &five) { out.append(contentsOf: $0) }
            } else if !E.needsEscape(backslash) && !E.needsEscape(x) {
                var four: (UInt8, UInt8, UInt8, UInt8) = (backslash, x, d[Int(b >> 4)], d[Int(b & 0x0F)])
                Swift.withUnsafeBytes(of: &four) { out.append(contentsOf: $0) }
            } else {
                emit(backslash, &out, E.self)
                emit(x, &out, E.self)
                out.append(d[Int(b >> 4)])
                out.append(d[Int(b & 0x0F)])
            }
        }
    }

    /// Whether the well-formed `length`-byte sequence at `i` is a code point that
    /// changes how text around it is displayed: a C1 control (U+0080..U+009F,
    /// NEL among them), a bidirectional control (U+061C, U+200E, U+200F,
    /// U+202A..U+202E, U+2066..U+2069: they reorder what follows, so `evil.sh`
    /// can be shown as `hs.live`) or a line or paragraph separator (U+2028,
    /// U+2029: a line break to some readers).
    ///
    /// Also every code point shown as nothing at all, which makes
    /// `/usr/bin/cu<U+200B>rl` look like curl while no search for curl finds it:
    /// the soft hyphen U+00AD, the Mongolian vowel separator U+180E, the
    /// zero-width space, non-joiner and joiner U+200B..U+200D, U+2060..U+206F
    /// (word joiner, invisible operators, deprecated format controls), the byte
    /// order mark U+FEFF, the interlinear annotation controls U+FFF9..U+FFFB, the
    /// Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) and the tag characters
    /// U+E0000..U+E007F. Combining marks and variation selectors are kept: they
    /// change a visible character rather than hide one.
    @inlinable
    static func isInvisibleControl(_ s: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> Bool {
        switch length {
        case 2:
            return (s[i] == 0xC2 && (s[i + 1] < 0xA0 || s[i + 1] == 0xAD)) || (s[i] == 0xD8 && s[i + 1] == 0x9C)
        case 3:
            let (b0, b1, b2) = (s[i], s[i + 1], s[i + 2])
            switch b0 {
            case 0xE2:
                if b1 == 0x80 { return (b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xA8 && b2 <= 0xAE) }
                if b1 == 0x81 { return b2 >= 0xA0 && b2 <= 0xAF }
                return false
            case 0xE1: return (b1 == 0x85 && (b2 == 0x9F || b2 == 0xA0)) || (b1 == 0xA0 && b2 == 0x8E)
            case 0xE3: return b1 == 0x85 && b2 == 0xA4
            case 0xEF: return (b1 == 0xBB && b2 == 0xBF) || (b1 == 0xBE && b2 == 0xA0) || (b1 == 0xBF && b2 >= 0xB9 && b2 <= 0xBB)
            default: return false
            }
        case 4:
            return s[i] == 0xF3 && s[i + 1] == 0xA0 && (s[i + 2] == 0x80 || s[i + 2] == 0x81)
        default:
            return false
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `i` (2...4), or 0
    /// when the bytes there are not one (Unicode's table 3-7).
    @inlinable
    static func validSequenceLength(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let end = s.count
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && s[i + k] >= lo && s[i + k] <= hi
        }
        switch s[i] {
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

/// Display text with no format escaping (``UntrustedBytes/description``).
public enum PlainEscaper: ByteEscaper {
    @inlinable public static func needsEscape(_ b: UInt8) -> Bool { false }
    @inlinable public static func escape(_ b: UInt8, into out: inout [UInt8]) { out.append(b) }
}
