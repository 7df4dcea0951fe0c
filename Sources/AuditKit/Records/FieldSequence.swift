import Glibc

/// The fields of a record body, tokenised on demand without allocating.
///
/// Tokens are separated by spaces. A value is double-quoted (`"..."`, never
/// containing `"`), single-quoted (`'...'`, the nested user-space `msg`, which
/// runs to the last `'` of the body), or runs to the next space. A token
/// without `=` is yielded with ``AuditField/Quoting/absent``.
public struct FieldSequence: Sequence {
    @usableFromInline let body: ByteView
    @usableFromInline let recordType: RecordType

    @inlinable
    public init(_ body: ByteView, recordType: RecordType) {
        self.body = body
        self.recordType = recordType
    }

    @inlinable
    public func makeIterator() -> FieldIterator { FieldIterator(body, recordType: recordType) }

    /// Counts the fields; throws when the body is malformed.
    public func count() throws(RecordParseError) -> Int {
        var iterator = makeIterator()
        var n = 0
        while try iterator.nextField() != nil { n += 1 }
        return n
    }
}

/// Walks the fields of a record body. ``nextField()`` reports malformed input;
/// `next()` (for `for in`) stops there and leaves the error in ``error``.
public struct FieldIterator: IteratorProtocol {
    @usableFromInline let start: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    @usableFromInline var position: Int
    @usableFromInline let recordType: RecordType
    /// Why iteration stopped early, when it did.
    public private(set) var error: RecordParseError?

    @inlinable
    init(_ body: ByteView, recordType: RecordType) {
        start = body.start
        count = body.count
        position = 0
        self.recordType = recordType
    }

    public mutating func next() -> AuditField? {
        do {
            return try nextField()
        } catch {
            self.error = error
            return nil
        }
    }

    /// The next field, nil at the end, or an error for an unbalanced quote.
    @inline(__always)
    public mutating func nextField() throws(RecordParseError) -> AuditField? {
        var p = position
        let end = count
        let s = start
        while p < end, s[p] == UInt8(ascii: " ") { p += 1 }
        guard p < end else {
            position = end
            return nil
        }
        let keyStart = p
        p = ByteScan.first(UInt8(ascii: "="), or: UInt8(ascii: " "), in: s, from: p, to: end)
        let key = ByteView(start: s + keyStart, count: p - keyStart)
        guard p < end, s[p] == UInt8(ascii: "=") else {
            position = p
            return AuditField(key: key, value: .empty, quoting: .absent, recordType: recordType)
        }
        p += 1
        if p < end {
            let first = s[p]
            if first == UInt8(ascii: "\"") {
                let valueStart = p + 1
                guard valueStart <= end,
                    let close = memchr(s + valueStart, Int32(UInt8(ascii: "\"")), end - valueStart)
                else { throw RecordParseError(.unbalancedQuote, at: p) }
                let closeOffset = UnsafePointer(close.assumingMemoryBound(to: UInt8.self)) - s
                position = closeOffset + 1
                return AuditField(
                    key: key, value: ByteView(start: s + valueStart, count: closeOffset - valueStart),
                    quoting: .double, recordType: recordType)
            }
            if first == UInt8(ascii: "'") {
                let valueStart = p + 1
                var closeOffset = end - 1
                while closeOffset >= valueStart, s[closeOffset] != UInt8(ascii: "'") { closeOffset -= 1 }
                guard closeOffset >= valueStart else { throw RecordParseError(.unbalancedQuote, at: p) }
                position = closeOffset + 1
                return AuditField(
                    key: key, value: ByteView(start: s + valueStart, count: closeOffset - valueStart),
                    quoting: .single, recordType: recordType)
            }
        }
        let valueStart = p
        p = ByteScan.first(UInt8(ascii: " "), in: s, from: p, to: end)
        position = p
        return AuditField(
            key: key, value: ByteView(start: s + valueStart, count: p - valueStart), quoting: .none,
            recordType: recordType)
    }
}
