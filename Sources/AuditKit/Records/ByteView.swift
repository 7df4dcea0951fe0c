import Glibc

/// A borrowed run of bytes inside a buffer that someone else owns: the receive
/// slab, a log reader's chunk, or an assembled event's arena.
///
/// A `ByteView` is two words and never owns or copies memory. It is valid only
/// while the buffer it points into is; the parser and assembler hand views out
/// inside callbacks and document how long each lives. Materialise a `String`
/// (``string``) or an array (``bytes``) only when the value must outlive that.
public struct ByteView: Equatable, CustomStringConvertible {
    /// The first byte.
    public let start: UnsafePointer<UInt8>
    /// The number of bytes.
    public let count: Int

    @inlinable
    public init(start: UnsafePointer<UInt8>, count: Int) {
        self.start = start
        self.count = count
    }

    /// An empty view (pointing at a static empty byte).
    @inlinable
    public static var empty: ByteView { ByteView(start: ("" as StaticString).utf8Start, count: 0) }

    @inlinable public var isEmpty: Bool { count == 0 }

    /// The byte at `offset` (unchecked beyond a debug precondition).
    @inlinable
    public subscript(offset: Int) -> UInt8 {
        assert(offset >= 0 && offset < count)
        return start[offset]
    }

    /// The bytes `range` of this view.
    @inlinable
    public func slice(_ range: Range<Int>) -> ByteView {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return ByteView(start: start + range.lowerBound, count: range.count)
    }

    /// The view as a buffer pointer, for APIs that take one.
    @inlinable
    public var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Whether the bytes equal the ASCII literal `literal`.
    @inlinable @inline(__always)
    public func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        let other = literal.utf8Start
        for i in 0..<count where start[i] != other[i] { return false }
        return true
    }

    /// Whether the bytes start with the ASCII literal `literal`.
    @inlinable @inline(__always)
    public func hasPrefix(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n <= count else { return false }
        let other = literal.utf8Start
        for i in 0..<n where start[i] != other[i] { return false }
        return true
    }

    /// Whether the bytes end with the ASCII literal `literal`.
    @inlinable
    public func hasSuffix(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n <= count else { return false }
        let other = literal.utf8Start
        for i in 0..<n where start[count - n + i] != other[i] { return false }
        return true
    }

    public static func == (lhs: ByteView, rhs: ByteView) -> Bool {
        lhs.count == rhs.count && (lhs.count == 0 || memcmp(lhs.start, rhs.start, lhs.count) == 0)
    }

    /// Parses the bytes as an unsigned decimal number; nil when empty, not all
    /// digits, or larger than `UInt64`.
    @inlinable @inline(__always)
    public func decimal() -> UInt64? {
        guard count > 0, count <= 20 else { return nil }
        if count <= 19 {
            // 19 digits cannot overflow UInt64: no checks needed per digit.
            var value: UInt64 = 0
            var i = 0
            while i < count {
                let digit = start[i] &- 0x30
                if digit >= 10 { return nil }
                value = value &* 10 &+ UInt64(digit)
                i &+= 1
            }
            return value
        }
        var value: UInt64 = 0
        for i in 0..<count {
            let digit = start[i] &- 0x30
            guard digit < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { return nil }
            value = s
        }
        return value
    }

    /// Parses the bytes as a signed decimal number (a leading `-` allowed).
    @inlinable
    public func signedDecimal() -> Int64? {
        guard count > 0 else { return nil }
        if start[0] == UInt8(ascii: "-") {
            guard let magnitude = slice(1..<count).decimal(), magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard let value = decimal(), value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// Parses the bytes as hexadecimal (either case, optional `0x` prefix).
    @inlinable
    public func hexadecimal() -> UInt64? {
        var i = 0
        if count > 2, start[0] == UInt8(ascii: "0"), start[1] | 0x20 == UInt8(ascii: "x") { i = 2 }
        guard count > i, count - i <= 16 else { return nil }
        var value: UInt64 = 0
        while i < count {
            guard let nibble = HexDigit.value(start[i]) else { return nil }
            value = value << 4 | UInt64(nibble)
            i += 1
        }
        return value
    }

    /// The bytes as a new array.
    public var bytes: [UInt8] { Array(buffer) }

    /// The bytes as a `String`, invalid UTF-8 replaced by U+FFFD.
    public var string: String { String(decoding: buffer, as: UTF8.self) }

    public var description: String { string }
}

/// Hex digit values, shared by number parsing and hex-string decoding.
@usableFromInline
enum HexDigit {
    @inlinable
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x41...0x46: return byte &- 0x41 &+ 10
        case 0x61...0x66: return byte &- 0x61 &+ 10
        default: return nil
        }
    }

    /// The value of an uppercase hex digit, as the kernel writes encoded strings.
    @inlinable
    static func upperValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x41...0x46: return byte &- 0x41 &+ 10
        default: return nil
        }
    }
}

