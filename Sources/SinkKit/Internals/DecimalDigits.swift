/// The decimal digits of an unsigned integer, rendered on the stack: shared by
/// the byte-array appends and ``ByteCursor`` (nothing allocated).
@usableFromInline
enum DecimalDigits {
    /// Calls `body` with the ASCII digits of `value` (no sign, no leading zeros).
    @inlinable @inline(__always)
    static func withDigits<R>(of value: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes >= 20 digits
        var v = value
        var n = 0
        return Swift.withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[23 - n] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            return body(UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }
}
