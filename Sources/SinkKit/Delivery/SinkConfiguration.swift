import Glibc

/// Everything a ``ViolationSink`` needs: where, in which format, and how hard
/// to try (queue, spool, throttle, reconnection).
public struct SinkConfiguration: Sendable {
    /// Destination.
    public var spec: SinkSpec
    /// Message format (default JSON).
    public var format: ViolationFormat
    /// The host name in syslog headers.
    public var hostName: String
    /// Violations held in memory before the sink thread takes them; beyond it they are dropped (counted).
    public var queueCapacity: Int
    /// Directory of the on-disk spool used while the receiver is down; nil for none.
    public var spoolDirectory: String?
    /// Bound of the spool on disk.
    public var spoolMaxBytes: Int
    /// Bytes of messages kept in memory, ahead of the spool, while the receiver
    /// cannot be reached (`replay`, which waits for it at the end); 0 (`run`):
    /// straight to the spool, which survives a restart of the agent.
    public var holdBytes: Int
    /// Folding and rate cap.
    public var throttle: Throttle
    /// Reconnection delays.
    public var backoff: Backoff
    /// How many sent messages are kept until the peer acknowledges them, to be
    /// re-sent if the connection dies first (stream transports).
    public var retainUnacknowledged: Int

    public init(
        spec: SinkSpec, format: ViolationFormat = .json, hostName: String = SinkConfiguration.systemHostName(),
        queueCapacity: Int = 10_000, spoolDirectory: String? = nil, spoolMaxBytes: Int = 64 << 20,
        throttle: Throttle = Throttle(), backoff: Backoff = Backoff(), retainUnacknowledged: Int = 4096, holdBytes: Int = 0
    ) {
        self.spec = spec
        self.format = format
        self.hostName = hostName
        self.queueCapacity = queueCapacity
        self.spoolDirectory = spoolDirectory
        self.spoolMaxBytes = spoolMaxBytes
        self.throttle = throttle
        self.backoff = backoff
        self.retainUnacknowledged = retainUnacknowledged
        self.holdBytes = holdBytes
    }

    /// This machine's host name (gethostname), or `-`.
    public static func systemHostName() -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        guard gethostname(&buf, 255) == 0 else { return "-" }
        return String(decoding: buf.prefix { $0 != 0 }, as: UTF8.self)
    }
}
