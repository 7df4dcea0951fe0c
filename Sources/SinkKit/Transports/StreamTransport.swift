import Glibc

/// Syslog over TCP (RFC 6587), octet-counted by default.
///
/// Before each message it checks that the peer has not hung up, and it reports
/// how many bytes the peer's kernel acknowledged (`TCP_INFO`), so that after a
/// failure the sink re-sends exactly the messages that never arrived.
public final class TCPTransport: Transport {
    public let destination: String
    private let host: String
    private let port: UInt16
    private let framing: StreamFraming
    private var fd: Int32 = -1
    private var written: UInt64 = 0
    private var frame: [UInt8] = []

    public init(host: String, port: UInt16, framing: StreamFraming) {
        self.host = host
        self.port = port
        self.framing = framing
        destination = "syslog+tcp://\(host):\(port)"
    }

    public func open() throws(TransportError) {
        guard fd < 0 else { return }
        fd = try Sockets.connect(host: host, port: port, type: Int32(SOCK_STREAM.rawValue), timeoutMS: 5000)
        written = 0
    }

    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        frame.removeAll(keepingCapacity: true)
        framing.frame(message, into: &frame)
        let result: Result<Void, TransportError> = frame.withUnsafeBytes { b in
            Result { () throws(TransportError) in try Sockets.writeAll(fd, b, what: destination) }
        }
        try result.get()
        written += UInt64(frame.count)
        return written
    }

    public func isAlive() -> Bool { fd >= 0 && !Sockets.peerHungUp(fd) }

    public func acknowledgedPosition() -> UInt64? { fd >= 0 ? Sockets.bytesAcked(fd) : nil }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
