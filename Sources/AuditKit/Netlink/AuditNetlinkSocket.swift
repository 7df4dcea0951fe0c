import CAudit
import Glibc

/// A NETLINK_AUDIT socket: the channel to the kernel's audit subsystem.
///
/// Used two ways: as the control socket (status, settings, rules; requests
/// answered by the kernel with a reply and an ACK), and as the event socket a
/// reader receives records on (unicast after registering as the audit daemon,
/// or multicast after joining `AUDIT_NLGRP_READLOG`).
///
/// Not thread-safe: one thread uses it at a time. The descriptor is closed on
/// deinit or ``close()``.
public final class AuditNetlinkSocket {
    /// The socket descriptor (-1 after close).
    public private(set) var fd: Int32
    /// Whether every datagram must come from the kernel (sender port id 0);
    /// others are dropped and counted. Off only for adopted test descriptors
    /// (a socketpair has no netlink sender address).
    public let acceptsOnlyKernel: Bool
    /// Datagrams the control path dropped because another process sent them.
    public private(set) var foreignDatagrams: UInt64 = 0
    private var sequence: UInt32 = 0
    /// Scratch space for control replies (rules can be ~9 KiB each).
    private var replyBuffer: UnsafeMutableRawBufferPointer

    /// Opens a NETLINK_AUDIT socket. With `multicast`, joins the read-only log
    /// group `AUDIT_NLGRP_READLOG` (needs CAP_AUDIT_READ).
    public init(multicast: Bool = false) throws(AuditError) {
        let fd = system_socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_AUDIT)
        guard fd >= 0 else {
            let e = errno
            if e == EPROTONOSUPPORT {
                throw AuditError(
                    .systemCall, errno: e,
                    "socket(AF_NETLINK, NETLINK_AUDIT) failed: this kernel has no audit support (CONFIG_AUDIT off)")
            }
            throw AuditError.system("socket(AF_NETLINK, NETLINK_AUDIT)", e)
        }
        self.fd = fd
        self.acceptsOnlyKernel = true
        self.replyBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        var addr = sockaddr_nl()
        addr.nl_family = sa_family_t(AF_NETLINK)
        addr.nl_pid = 0
        addr.nl_groups = multicast ? UInt32(1) << (UInt32(AUDIT_NLGRP_READLOG.rawValue) - 1) : 0
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        if rc < 0 {
            let e = errno
            _ = system_close(fd)
            self.fd = -1
            replyBuffer.deallocate()
            if multicast && (e == EPERM || e == EACCES) {
                throw AuditError(
                    .permission, errno: e,
                    "cannot join the audit multicast group AUDIT_NLGRP_READLOG: \(AuditError.describe(errno: e)); run as root or grant CAP_AUDIT_READ"
                )
            }
            throw AuditError.system("bind(NETLINK_AUDIT\(multicast ? ", AUDIT_NLGRP_READLOG" : ""))", e)
        }
    }

    /// Adopts an open descriptor (tests feed the reader through a socketpair).
    init(adopting fd: Int32) {
        self.fd = fd
        self.acceptsOnlyKernel = false
        self.replyBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        if fd >= 0 { _ = system_close(fd) }
        replyBuffer.deallocate()
    }

    /// Closes the socket now (idempotent).
    public func close() {
        if fd >= 0 { _ = system_close(fd) }
        fd = -1
    }

    /// Sets the receive buffer to `bytes`: SO_RCVBUFFORCE (root may exceed
    /// net.core.rmem_max), falling back to SO_RCVBUF. Returns the size the
    /// kernel reports (it doubles the request for bookkeeping).
    @discardableResult
    public func setReceiveBufferSize(_ bytes: Int) -> Int {
        let v = Int32(clamping: bytes)
        if system_setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v) != 0 {
            _ = system_setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v)
        }
        return Int(system_getsockopt(fd, SOL_SOCKET, SO_RCVBUF))
    }

    /// Asks the kernel to report ENOBUFS (the default) or not
    /// (`NETLINK_NO_ENOBUFS`) when this socket's receive queue overflows.
    public func setReportsOverruns(_ on: Bool) {
        _ = system_setsockopt(fd, Int32(SOL_NETLINK), NETLINK_NO_ENOBUFS, on ? 0 : 1)
    }

    /// Sends one request and waits for its ACK, handing every reply with the
    /// same sequence number to `onReply` (type, payload). With `untilDone`, also
    /// waits for NLMSG_DONE (multi-part replies such as the rule list). With
    /// `reply`, also waits for a message of that type: the kernel may send a
    /// reply after the ACK (it answers some requests from a worker thread).
    ///
    /// Throws `.netlink` with the errno when the kernel refuses the request.
    func request(
        type: UInt16, payload: UnsafeRawBufferPointer, untilDone: Bool = false, reply: UInt16? = nil,
        what: @autoclosure () -> String,
        onReply: (UInt16, UnsafeRawBufferPointer) -> Void = { _, _ in }
    ) throws(AuditError) {
        guard fd >= 0 else { throw AuditError(.closed, "\(what()): the audit socket is closed") }
        drainPending()
        sequence &+= 1
        let seq = sequence
        let total = NetlinkHeader.size + payload.count
        let message = UnsafeMutableRawBufferPointer.allocate(byteCount: NL.align(total), alignment: 8)
        defer { message.deallocate() }
        message.initializeMemory(as: UInt8.self, repeating: 0)
        NetlinkHeader.write(
            into: message, length: UInt32(total), type: type, flags: NL.request | NL.ack, sequence: seq)
        if let base = payload.baseAddress, payload.count > 0 {
            (message.baseAddress! + NetlinkHeader.size).copyMemory(from: base, byteCount: payload.count)
        }
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = withUnsafePointer(to: &kernel) { k in
            k.withMemoryRebound(to: sockaddr.self, capacity: 1) { addr in
                valueOrErrno {
                    system_sendto(fd, message.baseAddress!, total, 0, addr, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        if case .failure(let e) = sent { throw AuditError.system("sendto(\(what()))", e.rawValue) }

        var acked = false
        var done = !untilDone
        var replied = reply == nil
        while !(acked && done && replied) {
            let n = try receive(timeoutMilliseconds: 5000, what: what())
            var rest = UnsafeRawBufferPointer(rebasing: replyBuffer[0..<n])
            while let h = NetlinkHeader(rest) {
                let len = Int(h.length)
                guard len >= NetlinkHeader.size, len <= rest.count else { break }
                let body = UnsafeRawBufferPointer(rebasing: rest[NetlinkHeader.size..<len])
                if h.sequence == seq {
                    switch h.type {
                    case NL.error:
                        let err = body.count >= 4 ? body.loadUnaligned(as: Int32.self) : 0
                        if err != 0 {
                            drainPending()
                            throw AuditSocketErrors.refused(what(), errno: -err)
                        }
                        acked = true
                    case NL.done:
                        done = true
                    default:
                        if h.type == reply { replied = true }
                        onReply(h.type, body)
                    }
                }
                let step = NL.align(len)
                if step >= rest.count { break }
                rest = UnsafeRawBufferPointer(rebasing: rest[step...])
            }
        }
    }

    /// Receives one datagram into the reply buffer, waiting at most `timeoutMilliseconds`.
    private func receive(timeoutMilliseconds: Int32, what: String) throws(AuditError) -> Int {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = valueOrErrno { system_poll(&p, 1, timeoutMilliseconds) }
        switch ready {
        case .failure(let e): throw AuditError.system("poll(\(what))", e.rawValue)
        case .success(0):
            throw AuditError(
                .protocolError, errno: ETIMEDOUT, "\(what): the kernel did not answer within \(timeoutMilliseconds) ms")
        case .success: break
        }
        var source = sockaddr_nl()
        var sourceLength = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let received = withUnsafeMutablePointer(to: &source) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                valueOrErrno { recvfrom(fd, replyBuffer.baseAddress!, replyBuffer.count, 0, address, &sourceLength) }
            }
        }
        switch received {
        case .success(let n):
            // A reply another process forged (sent to this port) is dropped: the caller waits on.
            if acceptsOnlyKernel && !Self.isKernel(source, length: sourceLength) {
                foreignDatagrams &+= 1
                return 0
            }
            return n
        case .failure(let e): throw AuditError.system("recv(\(what))", e.rawValue)
        }
    }

    /// Whether a datagram's source address is the kernel's (netlink, port id 0).
    @inline(__always)
    static func isKernel(_ source: sockaddr_nl, length: socklen_t) -> Bool {
        Int(length) >= MemoryLayout<sockaddr_nl>.size && source.nl_family == sa_family_t(AF_NETLINK) && source.nl_pid == 0
    }

    /// This socket's netlink port id (the address other sockets send to).
    public var portID: UInt32 {
        var address = sockaddr_nl()
        var length = socklen_t(MemoryLayout<sockaddr_nl>.size)
        let rc = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return rc == 0 ? address.nl_pid : 0
    }

    /// Discards whatever is queued on the socket (stray ACKs left by libaudit
    /// calls), without blocking.
    func drainPending() {
        while fd >= 0, system_recv(fd, replyBuffer.baseAddress!, replyBuffer.count, Int32(MSG_DONTWAIT)) >= 0 {}
    }
}

/// Construction of the errors the socket reports.
enum AuditSocketErrors {
    static func refused(_ what: String, errno e: Int32) -> AuditError {
        let code: AuditError.Code = (e == EPERM || e == EACCES) ? .permission : .netlink
        var text = "\(what): the kernel refused: \(AuditError.describe(errno: e))"
        if code == .permission {
            text += "; run as root (CAP_AUDIT_CONTROL), or the audit configuration is locked (enabled=2)"
        }
        return AuditError(code, errno: e, text)
    }
}
