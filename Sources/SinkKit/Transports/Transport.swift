/// One way of delivering encoded messages: stdout, a file, or a syslog socket.
///
/// A transport is used by one sink thread only. `send` blocks at most for the
/// transport's timeout. Stream and RELP transports report how far the peer
/// acknowledged (a position: bytes for TCP and TLS, messages for RELP), so the
/// sink can put messages that never arrived back in front of the spool.
public protocol Transport: AnyObject {
    /// A human-readable destination for logs and errors.
    var destination: String { get }
    /// Connects or opens. Called again after a failure.
    func open() throws(TransportError)
    /// Sends one message (framing is the transport's business). Returns the
    /// stream position after it for stream transports, nil otherwise.
    func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64?
    /// Whether the connection still looks usable (no hang-up seen). Cheap.
    func isAlive() -> Bool
    /// The position (as `send` returns it) up to which the peer acknowledged:
    /// bytes for TCP and TLS, messages for RELP; nil for the others.
    func acknowledgedPosition() -> UInt64?
    /// Waits, bounded by the transport's timeout, until the peer acknowledged
    /// everything sent; ``acknowledgedPosition()`` then says how far it did.
    /// RELP closes its session for it; others have nothing to do.
    func drain()
    /// Whether ``acknowledgedPosition()`` means the receiving program has the
    /// message (RELP answers each one), rather than only its kernel (TCP, TLS):
    /// then a message acknowledged on a connection that breaks is safe.
    var receiverAcknowledges: Bool { get }
    /// Releases the connection or file.
    func close()
    /// Reopens a file after rotation; a no-op for sockets.
    func reopen() throws(TransportError)
    /// Writes out what `send` gathered (the file transport writes a wake-up's
    /// messages at once); a no-op for the others. On failure the unwritten
    /// messages stay gathered for the next attempt.
    func flush() throws(TransportError)
}

extension Transport {
    public func isAlive() -> Bool { true }
    public func acknowledgedPosition() -> UInt64? { nil }
    public func reopen() throws(TransportError) {}
    public func drain() {}
    public func flush() throws(TransportError) {}
    public var receiverAcknowledges: Bool { false }
}
