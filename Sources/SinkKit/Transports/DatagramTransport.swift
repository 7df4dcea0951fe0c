import Glibc

/// Syslog over datagrams: a unix socket such as /dev/log, or UDP.
///
/// One message per datagram. A message too large for a datagram is refused
/// (counted as an error by the sink), never split.
public final class DatagramTransport: Transport {
    public enum Address: Sendable { case unix(String), udp(host: String, port: UInt16) }

    public let destination: String
    private let address: Address
    private var fd: Int32 = -1

    public init(_ address: Address) {
        self.address = address
        switch address {
        case .unix(let p): destination = "syslog+unix://\(p)"
        case .udp(let h, let p): destination = "syslog+udp://\(h):\(p)"
        }
    }

    public func open() throws(TransportError) {
        guard fd < 0 else { return }
        switch address {
        case .udp(let host, let port):
            fd = try Sockets.connect(host: host, port: port, type: Int32(SOCK_DGRAM.rawValue), timeoutMS: 2000)
            var size: Int32 = 1 << 20
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        case .unix(let path):
            let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard s >= 0 else { throw TransportError(.unavailable, "cannot create a unix socket", errno: errno) }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                Glibc.close(s)
                throw TransportError(.configuration, "unix socket path too long: \(path)")
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if rc != 0 {
                let e = errno
                Glibc.close(s)
                throw TransportError(.unavailable, "cannot connect to \(path)", errno: e)
            }
            Sockets.setTimeouts(s, milliseconds: 2000)
            fd = s
        }
    }

    public func send(_ message: UnsafeRawBufferPointer) throws(TransportError) -> UInt64? {
        try open()
        while true {
            let n = Glibc.send(fd, message.baseAddress, message.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return nil }
            if errno == EINTR { continue }
            if errno == EMSGSIZE {
                throw TransportError(.messageTooLarge, "message of \(message.count) bytes too large for \(destination)", errno: errno)
            }
            throw TransportError(.unavailable, "cannot send to \(destination)", errno: errno)
        }
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
