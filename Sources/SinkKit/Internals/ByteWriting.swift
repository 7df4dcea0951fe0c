/// Allocation-free appends of ASCII literals and integers to a byte buffer.
extension Array where Element == UInt8 {
    @inlinable
    mutating func appendASCII(_ s: StaticString) {
        s.withUTF8Buffer { self.append(contentsOf: $0) }
    }

    @inlinable
    mutating func appendDecimal<I: BinaryInteger>(_ value: I) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendUnsigned(UInt64(value.magnitude))
        } else {
            appendUnsigned(UInt64(value))
        }
    }

    @inlinable
    mutating func appendUnsigned(_ value: UInt64) {
        if value < 10 { append(UInt8(48 + value)); return }
        DecimalDigits.withDigits(of: value) { self.append(contentsOf: $0) }
    }
}
