/// Loss and throughput of a live session, measured, never guessed: the
/// kernel's `lost` counter delta (records dropped in the kernel: backlog full
/// or rate limit), socket overruns (ENOBUFS: records dropped between the
/// kernel and callguard's socket) and the reader's counters. Serial gaps are
/// counted by the ``EventAssembler``; note that the kernel drops records for a
/// full backlog before it stamps a serial, so those drops show only here, in
/// ``kernelLost`` (measured: 46,859 lost, 0 serial gaps over 8.5 M events).
public struct LiveAuditStatistics: Hashable, Sendable {
    /// The reader's counters.
    public var reader: AuditReaderStats
    /// Records the kernel dropped since the session started.
    public var kernelLost: UInt32
    /// Records queued in the kernel now.
    public var backlog: UInt32
    /// The kernel's backlog limit now.
    public var backlogLimit: UInt32
}

extension AuditSession {
    /// The session's statistics now. Reads the reader's counters: call it on
    /// the reader's thread (from the consumer) or after the reader returned.
    public func statistics() throws(AuditError) -> LiveAuditStatistics {
        let status = try control.status()
        return LiveAuditStatistics(
            reader: reader.stats, kernelLost: status.lost &- initialStatus.lost, backlog: status.backlog,
            backlogLimit: status.backlogLimit)
    }
}
