import Glibc

/// Parses audit records in both forms they arrive in, without copying:
///
/// - a netlink payload, whose type is in the netlink header:
///   `audit(1700000000.123:456): key=value ...`
/// - an auditd log line: `[node=NAME ]type=NAME msg=audit(...): key=value ...`,
///   including the ENRICHED format whose interpreted fields follow a 0x1D byte.
///
/// Only the header is parsed here; fields are tokenised lazily through
/// ``AuditRecord/fields``. Nothing is allocated. A record that cannot be parsed
/// throws a ``RecordParseError`` that says why; the caller counts and skips it.
public struct RecordParser: Sendable {
    /// Records longer than this are rejected as ``RecordParseError/Reason/tooLong``.
    /// The kernel's own limit (`MAX_AUDIT_MESSAGE_LENGTH`) is 8970 bytes; log
    /// lines add the type and node prefix and the ENRICHED part.
    public var maximumRecordLength: Int
    private let types: RecordTypeTable

    public init(maximumRecordLength: Int = 64 * 1024) {
        self.maximumRecordLength = maximumRecordLength
        self.types = .shared
    }

    /// Parses one auditd log line (without its newline).
    @inlinable
    public func parseLine(_ line: ByteView) throws(RecordParseError) -> AuditRecord {
        try parseLine(start: line.start, count: line.count)
    }

    /// Parses one auditd log line (without its newline) at `start`.
    public func parseLine(start: UnsafePointer<UInt8>, count: Int) throws(RecordParseError) -> AuditRecord {
        try parseLine(start: start, count: count, prescan: nil)
    }

    /// Parses one log line whose rare bytes ``LogLineReader`` already noted
    /// while finding its end; the result is the same as without `scan`.
    func parseLine(start: UnsafePointer<UInt8>, count: Int, scan: LineScan) throws(RecordParseError) -> AuditRecord {
        try parseLine(start: start, count: count, prescan: scan)
    }

    @inline(__always)
    private func parseLine(start: UnsafePointer<UInt8>, count: Int, prescan: LineScan?) throws(RecordParseError) -> AuditRecord {
        guard count <= maximumRecordLength else { throw RecordParseError(.tooLong, at: maximumRecordLength) }
        if let (type, p) = Self.commonHeader(start, count: count) {
            return try parseStamped(type: type, node: .empty, start: start, count: count, from: p, prescan: prescan)
        }
        var p = 0
        var node = ByteView.empty
        if count >= 5, memcmp(start, "node=", 5) == 0 {
            p = 5
            while p < count, start[p] != UInt8(ascii: " ") { p += 1 }
            node = ByteView(start: start + 5, count: p - 5)
            p += 1
        }
        guard p + 5 <= count, memcmp(start + p, "type=", 5) == 0 else {
            throw RecordParseError(count - p < 5 ? .truncated : .badHeader, at: p)
        }
        p += 5
        let nameStart = p
        p = ByteScan.first(UInt8(ascii: " "), in: start, from: p, to: count)
        guard p < count else { throw RecordParseError(.truncated, at: p) }
        guard let type = types.type(named: ByteView(start: start + nameStart, count: p - nameStart)) else {
            throw RecordParseError(.unknownType, at: nameStart)
        }
        p += 1
        guard p + 4 <= count else { throw RecordParseError(.truncated, at: p) }
        guard memcmp(start + p, "msg=", 4) == 0 else { throw RecordParseError(.badHeader, at: p) }
        p += 4
        return try parseStamped(type: type, node: node, start: start, count: count, from: p, prescan: prescan)
    }

    /// The header of the commonest lines (`type=SYSCALL msg=`, `PROCTITLE`,
    /// `PATH`, `CWD`) read as words: the type and the offset after `msg=`, or
    /// nil for the general path (which gives the same for these lines).
    @inline(__always)
    private static func commonHeader(_ s: UnsafePointer<UInt8>, count: Int) -> (RecordType, Int)? {
        guard count >= 32, ByteScan.hasLiteral("type=", in: s, at: 0) else { return nil }
        let name = ByteScan.load(s, at: 5)
        let type: RecordType
        let space: Int  // the offset of the space after the name
        if name == ByteScan.word("SYSCALL ") {
            (type, space) = (.syscall, 12)
        } else if name == ByteScan.word("PROCTITL"), ByteScan.hasLiteral("E ", in: s, at: 13) {
            (type, space) = (.proctitle, 14)
        } else if ByteScan.hasLiteral("PATH ", in: s, at: 5) {
            (type, space) = (.path, 9)
        } else if ByteScan.hasLiteral("CWD ", in: s, at: 5) {
            (type, space) = (.cwd, 8)
        } else {
            return nil
        }
        guard ByteScan.hasLiteral(" msg=", in: s, at: space) else { return nil }
        return (type, space &+ 5)
    }

    /// Parses one netlink payload of message type `type`. A trailing NUL or
    /// newline, which some kernels append, is ignored.
    public func parseNetlink(type: RecordType, payload: UnsafeRawBufferPointer) throws(RecordParseError) -> AuditRecord {
        guard let base = payload.baseAddress else { throw RecordParseError(.truncated, at: 0) }
        let start = base.assumingMemoryBound(to: UInt8.self)
        var count = payload.count
        while count > 0, start[count - 1] == 0 || start[count - 1] == UInt8(ascii: "\n") { count -= 1 }
        guard count <= maximumRecordLength else { throw RecordParseError(.tooLong, at: maximumRecordLength) }
        return try parseStamped(type: type, node: .empty, start: start, count: count, from: 0, prescan: nil)
    }

    /// Parses `audit(SECONDS.MILLIS:SERIAL): body` starting at `p`.
    @inline(__always)
    private func parseStamped(
        type: RecordType, node: ByteView, start: UnsafePointer<UInt8>, count: Int, from offset: Int,
        prescan: LineScan?
    ) throws(RecordParseError) -> AuditRecord {
        var p = offset
        guard p + 6 <= count else { throw RecordParseError(.truncated, at: p) }
        guard p &+ 8 <= count ? ByteScan.hasLiteral("audit(", in: start, at: p) : memcmp(start + p, "audit(", 6) == 0 else {
            throw RecordParseError(.badHeader, at: p)
        }
        p += 6
        var seconds: UInt64 = 0
        var digits = 0
        if p &+ 11 <= count, start[p &+ 10] == UInt8(ascii: "."),
            let high = Self.eightDigits(start + p), case let d8 = start[p &+ 8] &- 0x30, d8 < 10,
            case let d9 = start[p &+ 9] &- 0x30, d9 < 10
        {
            // The common case: ten digits of seconds, read eight at a time.
            seconds = high &* 100 &+ UInt64(d8) &* 10 &+ UInt64(d9)
            digits = 10
            p &+= 10
        } else {
            Self.readDigits(start, &p, count, into: &seconds, &digits, upTo: 20)
        }
        guard digits > 0, digits <= 19 else { throw RecordParseError(p >= count ? .truncated : .badTimestamp, at: p) }
        guard p < count, start[p] == UInt8(ascii: ".") else {
            throw RecordParseError(p >= count ? .truncated : .badTimestamp, at: p)
        }
        p &+= 1
        var millis: UInt64 = 0
        digits = 0
        if p &+ 4 <= count, start[p &+ 3] == UInt8(ascii: ":"), case let d0 = start[p] &- 0x30, d0 < 10,
            case let d1 = start[p &+ 1] &- 0x30, d1 < 10, case let d2 = start[p &+ 2] &- 0x30, d2 < 10
        {
            // The kernel always writes three digits.
            millis = UInt64(d0) &* 100 &+ UInt64(d1) &* 10 &+ UInt64(d2)
            digits = 3
            p &+= 3
        }
        Self.readDigits(start, &p, count, into: &millis, &digits, upTo: 4)
        guard digits > 0, digits <= 3 else { throw RecordParseError(p >= count ? .truncated : .badTimestamp, at: p) }
        guard p < count, start[p] == UInt8(ascii: ":") else {
            throw RecordParseError(p >= count ? .truncated : .badTimestamp, at: p)
        }
        p &+= 1
        var serial: UInt64 = 0
        digits = 0
        if p &+ 8 < count, let first8 = Self.eightDigits(start + p) {
            serial = first8
            digits = 8
            p &+= 8
        }
        Self.readDigits(start, &p, count, into: &serial, &digits, upTo: 11)
        guard digits > 0, digits <= 10, serial <= UInt64(UInt32.max) else {
            throw RecordParseError(p >= count ? .truncated : .badTimestamp, at: p)
        }
        guard p + 2 <= count else { throw RecordParseError(.truncated, at: p) }
        guard start[p] == UInt8(ascii: ")"), start[p + 1] == UInt8(ascii: ":") else {
            throw RecordParseError(.badHeader, at: p)
        }
        p += 2
        if p < count, start[p] == UInt8(ascii: " ") { p += 1 }

        // NUL and invalid UTF-8 are rejected, and the ENRICHED separator found:
        // from the line reader's notes when it has them, else in a pass of our own.
        let separator =
            if let prescan {
                try RecordValidation.check(prescan, start, count: count, separatorFrom: p).groupSeparator
            } else {
                try RecordValidation.scan(start, count: count, separatorFrom: p).groupSeparator
            }
        var body = ByteView(start: start + p, count: count - p)
        var interpreted = ByteView.empty
        if separator < count {
            body = ByteView(start: start + p, count: separator - p)
            interpreted = ByteView(start: start + separator + 1, count: count - separator - 1)
        }
        return AuditRecord(
            type: type,
            id: EventID(seconds: seconds, milliseconds: UInt16(millis), serial: UInt32(serial)),
            node: node, body: body, interpreted: interpreted,
            raw: ByteView(start: start, count: count))
    }

    /// Appends the ASCII digits at `s[p...]` to `value` while fewer than
    /// `limit` have been read (`digits` counts them), moving `p` past them.
    @inline(__always)
    private static func readDigits(
        _ s: UnsafePointer<UInt8>, _ p: inout Int, _ count: Int, into value: inout UInt64, _ digits: inout Int, upTo limit: Int
    ) {
        while p < count, case let d = s[p] &- 0x30, d < 10, digits < limit {
            value = value &* 10 &+ UInt64(d)
            digits &+= 1
            p &+= 1
        }
    }

    /// The value of eight ASCII digits at `p`, or nil if any byte is not a digit.
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        ByteScan.eightDigits(ByteScan.load(p, at: 0))
    }

}
