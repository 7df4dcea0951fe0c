import CAudit
import Glibc

// Every system call AuditKit makes goes through one of these functions, which
// own the -1 → errno → EINTR rule.

/// Calls `body` until it does not fail with EINTR (when `retryOnInterrupt`);
/// returns its non-negative result or the errno.
@inline(__always)
func valueOrErrno<T: FixedWidthInteger>(
    retryOnInterrupt: Bool = true, _ body: () -> T
) -> Result<T, Errno32> {
    while true {
        let r = body()
        if r >= 0 { return .success(r) }
        let e = Glibc.errno
        if retryOnInterrupt && e == EINTR { continue }
        return .failure(Errno32(e))
    }
}

/// An errno value as a Swift error (internal plumbing; AuditError is public).
struct Errno32: Error, Equatable {
    var rawValue: Int32
    init(_ v: Int32) { rawValue = v }
}

func system_socket(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 {
    Glibc.socket(domain, type, proto)
}

func system_close(_ fd: Int32) -> Int32 { Glibc.close(fd) }

func system_sendto(
    _ fd: Int32, _ buf: UnsafeRawPointer, _ len: Int, _ flags: Int32,
    _ addr: UnsafePointer<sockaddr>, _ addrlen: socklen_t
) -> Int {
    Glibc.sendto(fd, buf, len, flags, addr, addrlen)
}

func system_recv(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ len: Int, _ flags: Int32) -> Int {
    Glibc.recv(fd, buf, len, flags)
}

func system_recvmmsg(
    _ fd: Int32, _ vec: UnsafeMutablePointer<CAudit_mmsghdr>, _ vlen: UInt32, _ flags: Int32
) -> Int32 {
    CAudit_recvmmsg(fd, vec, vlen, flags)
}

func system_poll(_ fds: UnsafeMutablePointer<pollfd>, _ n: Int, _ timeout: Int32) -> Int32 {
    Glibc.poll(fds, nfds_t(n), timeout)
}

func system_setsockopt(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Int32 {
    var v = value
    return Glibc.setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
}

func system_getsockopt(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
    var v: Int32 = 0
    var len = socklen_t(MemoryLayout<Int32>.size)
    let r = Glibc.getsockopt(fd, level, name, &v, &len)
    return r < 0 ? r : v
}
