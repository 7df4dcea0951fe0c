/// One audit record, as views into the bytes it was parsed from.
///
/// The header (type, event id, node) is parsed eagerly; the fields are not
/// touched until someone asks (``fields``, ``SyscallSummary``). A record is only
/// valid while the buffer it was parsed from is: inside the reader's or the
/// assembler's callback.
public struct AuditRecord {
    /// The record type.
    public var type: RecordType
    /// The event this record belongs to.
    public var id: EventID
    /// The `node=` name of a log line written with `name_format`, or empty.
    public var node: ByteView
    /// The fields as the kernel wrote them: `key=value ...` after `): `.
    public var body: ByteView
    /// The ENRICHED log format's interpreted fields (after the 0x1D separator), or empty.
    public var interpreted: ByteView
    /// The whole record as received (log line without its newline, or netlink payload).
    public var raw: ByteView

    @inlinable
    public init(type: RecordType, id: EventID, node: ByteView, body: ByteView, interpreted: ByteView, raw: ByteView) {
        self.type = type
        self.id = id
        self.node = node
        self.body = body
        self.interpreted = interpreted
        self.raw = raw
    }

    /// The record's fields, in order.
    @inlinable
    public var fields: FieldSequence { FieldSequence(body, recordType: type) }

    /// The ENRICHED format's interpreted fields (`ARCH=x86_64 SYSCALL=execve ...`), in order.
    @inlinable
    public var interpretedFields: FieldSequence { FieldSequence(interpreted, recordType: type) }

    /// The first field named `key`, or nil.
    @inlinable
    public func field(_ key: StaticString) -> AuditField? {
        var iterator = fields.makeIterator()
        while let field = try? iterator.nextField() {
            if field.key.equals(key) { return field }
        }
        return nil
    }
}
