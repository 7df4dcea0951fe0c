/// One complete audit event: the records that share an ``EventID``, in arrival
/// order, as views into the assembler's storage.
///
/// Valid only inside the ``EventAssembler`` callback that receives it; copy out
/// (``AuditRecord/raw``'s bytes, decoded fields) what must outlive the call.
public struct AssembledEvent {
    /// The event's id.
    public let id: EventID
    /// Why the event was handed on.
    public let reason: CompletionReason
    /// How many of its records were dropped for being over the event's limits.
    public let droppedRecords: Int

    @usableFromInline
    enum Storage {
        case single(AuditRecord)
        case slot(UnsafePointer<StoredRecord>, Int)
    }

    @usableFromInline let storage: Storage

    @usableFromInline
    init(id: EventID, reason: CompletionReason, droppedRecords: Int, storage: Storage) {
        self.id = id
        self.reason = reason
        self.droppedRecords = droppedRecords
        self.storage = storage
    }

    /// How many records the event holds.
    @inlinable
    public var count: Int {
        switch storage {
        case .single: 1
        case .slot(_, let n): n
        }
    }

    /// The record at `index` (0 ..< ``count``).
    @inlinable
    public subscript(index: Int) -> AuditRecord {
        switch storage {
        case .single(let record):
            precondition(index == 0)
            return record
        case .slot(let records, let n):
            precondition(index >= 0 && index < n)
            return records[index].record(id: id)
        }
    }

    /// The first record of type `type`, or nil.
    @inlinable
    public func first(_ type: RecordType) -> AuditRecord? {
        for i in 0..<count {
            let record = self[i]
            if record.type == type { return record }
        }
        return nil
    }

    /// The records in arrival order.
    public var records: [AuditRecord] { (0..<count).map { self[$0] } }
}

/// Where one record of an open event sits: in its slot's arena, or, while
/// borrowed, still in the caller's buffer (see ``EventAssembler/add(borrowing:)``).
@usableFromInline
struct StoredRecord {
    @usableFromInline var type: RecordType
    /// Whether `base` is still in the caller's buffer (not yet copied).
    @usableFromInline var borrowed: Bool
    @usableFromInline var base: UnsafePointer<UInt8>
    @usableFromInline var length: Int32
    @usableFromInline var nodeOffset: Int32
    @usableFromInline var nodeLength: Int32
    @usableFromInline var bodyOffset: Int32
    @usableFromInline var bodyLength: Int32
    @usableFromInline var interpretedOffset: Int32
    @usableFromInline var interpretedLength: Int32

    @inlinable
    func record(id: EventID) -> AuditRecord {
        AuditRecord(
            type: type, id: id,
            node: ByteView(start: base + Int(nodeOffset), count: Int(nodeLength)),
            body: ByteView(start: base + Int(bodyOffset), count: Int(bodyLength)),
            interpreted: ByteView(start: base + Int(interpretedOffset), count: Int(interpretedLength)),
            raw: ByteView(start: base, count: Int(length)))
    }
}
