/// Receives audit records from ``AuditReader`` one netlink message at a time.
///
/// The seam between the socket and the record parser: `consume` gets the
/// message type (`AUDIT_SYSCALL` = 1300, `AUDIT_EOE` = 1320, `AUDIT_SECCOMP` =
/// 1326, ...) and the payload, `audit(SECS.MS:SERIAL): field=value ...`, as a
/// view into the reader's receive slab. The view stays valid until the batch's
/// ``endOfBatch()`` returns (the slab is reused by the next receive): copy what
/// must outlive that. Trailing NUL and newline bytes are already trimmed.
public protocol AuditMessageConsumer {
    /// One netlink message (one audit record).
    mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer)
    /// Called after each batch of messages and when the socket has been idle
    /// for the reader's tick interval: the place to expire timed-out events
    /// and to copy what must outlive the batch's payloads.
    mutating func endOfBatch()
    /// Called when ``AuditReader/sideDescriptor`` is readable while the socket
    /// is idle: read what waits there.
    mutating func sideDescriptorReady()
}

extension AuditMessageConsumer {
    public mutating func endOfBatch() {}
    public mutating func sideDescriptorReady() {}
}
