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
///
/// Inlinable, so that a caller's loop over the fields compiles to one loop
/// with no call per field.
public struct FieldIterator: IteratorProtocol {
    @usableFromInline let start: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    @usableFromInline var position: Int
    @usableFromInline let recordType: RecordType
    @usableFromInline var stoppedBy: RecordParseError?

    /// Why iteration stopped early, when it did.
    @inlinable
    public var error: RecordParseError? { stoppedBy }

    @inlinable
    init(_ body: ByteView, recordType: RecordType) {
        start = body.start
        count = body.count
        position = 0
        self.recordType = recordType
    }

    @inlinable @inline(__always)
    public mutating func next() -> AuditField? {
        do {
            return try nextField()
        } catch {
            stoppedBy = error
            return nil
        }
    }

    /// The next field, nil at the end, or an error for an unbalanced quote.
    @inlinable @inline(__always)
    public mutating func nextField() throws(RecordParseError) -> AuditField? {
        var p = position
        let end = count
        let s = start
        while p < end, s[p] == 0x20 { p &+= 1 }
        guard p < end else {
            position = end
            return nil
        }
        let keyStart = p
        p = ByteScan.first(0x3D, or: 0x20, in: s, from: p, to: end)  // '=' or ' '
        let key = ByteView(start: s + keyStart, count: p &- keyStart)
        guard p < end, s[p] == 0x3D else {
            position = p
            return AuditField(key: key, value: .empty, quoting: .absent, recordType: recordType)
        }
        p &+= 1
        if p < end {
            let first = s[p]
            if first == 0x22 {  // "..."
                let valueStart = p &+ 1
                let close = ByteScan.first(0x22, in: s, from: valueStart, to: end)
                guard close < end else { throw RecordParseError(.unbalancedQuote, at: p) }
                position = close &+ 1
                return AuditField(
                    key: key, value: ByteView(start: s + valueStart, count: close &- valueStart),
                    quoting: .double, recordType: recordType)
            }
            if first == 0x27 {  // '...' runs to the last ' of the body
                let valueStart = p &+ 1
                var close = end &- 1
                while close >= valueStart, s[close] != 0x27 { close &-= 1 }
                guard close >= valueStart else { throw RecordParseError(.unbalancedQuote, at: p) }
                position = close &+ 1
                return AuditField(
                    key: key, value: ByteView(start: s + valueStart, count: close &- valueStart),
                    quoting: .single, recordType: recordType)
            }
        }
        let valueStart = p
        p = ByteScan.first(0x20, in: s, from: p, to: end)
        position = p
        return AuditField(
            key: key, value: ByteView(start: s + valueStart, count: p &- valueStart), quoting: .none,
            recordType: recordType)
    }
}
