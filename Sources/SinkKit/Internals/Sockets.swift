import Glibc

/// POLLRDHUP (Linux, _GNU_SOURCE): the peer shut down its writing side.
let pollReadHangUp: Int32 = 0x2000

/// Socket plumbing shared by the syslog transports.
enum Sockets {
    /// Resolves `host:port` and connects a socket of `type` (with a timeout for
    /// streams); returns the connected descriptor.
    static func connect(host: String, port: UInt16, type: Int32, timeoutMS: Int32) throws(TransportError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw TransportError(.unavailable, "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var lastErrno: Int32 = 0
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), a.pointee.ai_protocol)
            if fd < 0 { lastErrno = errno; continue }
            if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) != 0 {
                if errno != EINPROGRESS { lastErrno = errno; Glibc.close(fd); continue }
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let n = poll(&p, 1, timeoutMS)
                var soerr: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len)
                if n <= 0 || soerr != 0 { lastErrno = n == 0 ? ETIMEDOUT : soerr; Glibc.close(fd); continue }
            }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags & ~Int32(O_NONBLOCK))
            setTimeouts(fd, milliseconds: Int(timeoutMS))
            return fd
        }
        throw TransportError(.unavailable, "cannot connect to \(host):\(port)", errno: lastErrno)
    }

    /// Send and receive timeouts, so a stuck peer cannot hold the sink thread forever.
    static func setTimeouts(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`, retrying on EINTR and short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, what: String) throws(TransportError) {
        var off = 0
        while off < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw TransportError(.unavailable, "cannot send to \(what)", errno: errno)
            }
            off += n
        }
    }

    /// Whether the peer has hung up (FIN, RST or error) on a stream socket.
    static func peerHungUp(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(pollReadHangUp), revents: 0)
        let n = poll(&p, 1, 0)
        if n < 0 { return false }
        return n > 0 && (p.revents & Int16(pollReadHangUp | POLLHUP | POLLERR)) != 0
    }

    /// The bytes the peer acknowledged on a TCP socket (`tcpi_bytes_acked`).
    static func bytesAcked(_ fd: Int32) -> UInt64? {
        var info = [UInt8](repeating: 0, count: 256)
        var len = socklen_t(info.count)
        let rc = info.withUnsafeMutableBytes { getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, $0.baseAddress, &len) }
        // `tcpi_bytes_acked` sits at offset 120 of Linux's struct tcp_info (since 4.1).
        guard rc == 0, len >= 128 else { return nil }
        return info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 120, as: UInt64.self) }
    }
}
