/// Writes a message into memory reserved for it beforehand (one
/// `append(addingCapacity:)` on the output array per message, not one
/// array append per literal): each write checks that it fits, so a bound
/// computed too small stops the process rather than write past the end.
@usableFromInline
struct ByteCursor {
    @usableFromInline var next: UnsafeMutablePointer<UInt8>
    @usableFromInline let end: UnsafeMutablePointer<UInt8>

    @inlinable
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>, from offset: Int) {
        next = buffer.baseAddress! + offset
        end = buffer.baseAddress! + buffer.count
    }

    @inlinable @inline(__always)
    mutating func put(_ b: UInt8) {
        precondition(next < end, "message longer than its bound")
        next.initialize(to: b)
        next += 1
    }

    @inlinable @inline(__always)
    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        precondition(end - next >= n, "message longer than its bound")
        UnsafeMutableRawPointer(next).copyMemory(from: bytes.baseAddress!, byteCount: n)
        next += n
    }

    @inlinable @inline(__always)
    mutating func ascii(_ s: StaticString) {
        put(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inlinable
    mutating func decimal<I: BinaryInteger>(_ value: I) {
        if value < 0 {
            put(UInt8(ascii: "-"))
            unsigned(UInt64(value.magnitude))
        } else {
            unsigned(UInt64(value))
        }
    }

    @inlinable
    mutating func unsigned(_ value: UInt64) {
        if value < 10 { return put(UInt8(48 + value)) }
        DecimalDigits.withDigits(of: value) { put($0) }
    }

    /// `t` in ISO 8601 (``Timestamp/writeISO8601(into:)``).
    @inlinable
    mutating func iso8601(_ t: Timestamp) {
        precondition(end - next >= 24, "message longer than its bound")
        t.writeISO8601(to: next)
        next += 24
    }

    /// The display form of `bytes` for format `E` (``DisplayText``): copied
    /// as is when no byte needs a look of its own, the common case; else
    /// written by ``DisplayText`` and copied.
    @inlinable
    mutating func text<E: ByteEscaper>(_ bytes: UnsafeBufferPointer<UInt8>, _: E.Type) {
        if DisplayText.isPlain(bytes, E.self) {
            put(UnsafeRawBufferPointer(bytes))
        } else {
            var display: [UInt8] = []
            DisplayText.write(bytes, into: &display, E.self)
            display.withUnsafeBytes { put($0) }
        }
    }

    @inlinable
    mutating func text<E: ByteEscaper>(_ string: String, _: E.Type) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { text($0, E.self) }
        if done == nil {
            var s = string
            s.withUTF8 { text($0, E.self) }
        }
    }

    @inlinable
    mutating func text<E: ByteEscaper>(_ bytes: [UInt8], _: E.Type) {
        bytes.withUnsafeBufferPointer { text($0, E.self) }
    }
}

extension Array where Element == UInt8 {
    /// Reserves `bound` bytes, lets `write` fill some of them through a cursor, keeps what it wrote.
    @inlinable
    mutating func write(bound: Int, _ write: (inout ByteCursor) -> Void) {
        append(addingCapacity: bound) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                var cursor = ByteCursor(buffer, from: initialized)
                write(&cursor)
                initialized = cursor.next - buffer.baseAddress!
            }
        }
    }
}
