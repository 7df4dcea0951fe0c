/// What an ``AuditReader`` has received and lost so far.
public struct AuditReaderStats: Hashable, Sendable {
    /// Datagrams received.
    public var datagrams: UInt64 = 0
    /// Audit messages delivered to the consumer.
    public var messages: UInt64 = 0
    /// Payload bytes delivered.
    public var bytes: UInt64 = 0
    /// recvmmsg calls that returned data.
    public var batches: UInt64 = 0
    /// Times the socket's receive queue overflowed (ENOBUFS): records were
    /// dropped between the kernel and this socket (the number is unknown).
    public var overruns: UInt64 = 0
    /// Datagrams larger than a slab slot, cut short (counted, not delivered).
    public var truncated: UInt64 = 0
    /// Netlink control messages (ACK, DONE, ...) skipped.
    public var controlMessages: UInt64 = 0
    /// Datagrams dropped because they did not come from the kernel (sender
    /// port id not 0): another process sending to the agent's netlink port.
    public var foreignSenders: UInt64 = 0

    public init() {}
}
