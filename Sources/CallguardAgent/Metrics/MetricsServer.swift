import Foundation
import Glibc

/// Serves Prometheus text-format metrics over HTTP on a loopback address
/// (`--metrics 127.0.0.1:9477`): one thread, one connection at a time, any
/// path. It never touches the reader's state directly: `render` reads the
/// agent's published snapshot.
public final class MetricsServer: @unchecked Sendable {
    /// An address that cannot be served.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let fd: Int32
    private let render: @Sendable () -> String
    private let stopping = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    /// The port actually bound (useful with port 0).
    public let port: UInt16

    /// Binds `address` ("HOST:PORT"; HOST must be a loopback IPv4 address).
    public init(address: String, render: @escaping @Sendable () -> String) throws(Failure) {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw Failure(description: "metrics address \(address): expected HOST:PORT, e.g. 127.0.0.1:9477")
        }
        var inAddress = in_addr()
        guard inet_pton(AF_INET, String(parts[0]), &inAddress) == 1, UInt32(bigEndian: inAddress.s_addr) >> 24 == 127 else {
            throw Failure(description: "metrics address \(address): only loopback IPv4 addresses (127.0.0.0/8) are served")
        }
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw Failure(description: "metrics: socket failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr = inAddress
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else {
            let e = errno
            close(socketFD)
            throw Failure(description: "metrics: cannot listen on \(address): \(String(cString: strerror(e)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.fd = socketFD
        self.render = render
        stopping.initialize(to: 0)
        let thread = Thread { [self] in serve() }
        thread.name = "callguard-metrics"
        thread.start()
    }

    /// Stops serving and closes the socket.
    public func stop() {
        stopping.pointee = 1
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func serve() {
        while stopping.pointee == 0 {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var request = [UInt8](repeating: 0, count: 4096)
            _ = recv(client, &request, request.count, 0)
            let body = render()
            var response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            response.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = send(client, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(client)
        }
        close(fd)
    }
}
