/// Receives audit records from ``AuditReader`` one netlink message at a time.
///
/// The seam between the socket and the record parser: `consume` gets the
/// message type (`AUDIT_SYSCALL` = 1300, `AUDIT_EOE` = 1320, `AUDIT_SECCOMP` =
/// 1326, ...) and the payload, `audit(SECS.MS:SERIAL): field=value ...`, as a
/// view into the reader's receive slab. The view is valid only during the call:
/// copy what must outlive it. Trailing NUL and newline bytes are already trimmed.
public protocol AuditMessageConsumer {
    /// One netlink message (one audit record).
    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer)
    /// Called after each batch of messages and when the socket has been idle
    /// for the reader's tick interval: the place to expire timed-out events.
    mutating func endOfBatch()
}

extension AuditMessageConsumer {
    public mutating func endOfBatch() {}
}
