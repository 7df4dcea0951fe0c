import CAudit
import Glibc

/// Reads audit records from an event socket in batches (`recvmmsg`) into one
/// reused buffer slab and hands each to an ``AuditMessageConsumer``, without
/// allocating per message.
///
/// The reader thread blocks only in `poll` on the socket and the waker's
/// eventfd. A receive-queue overflow (ENOBUFS) is counted in
/// ``stats``.overruns and reading goes on.
///
/// Threads: one thread runs the reader at a time (it is `@unchecked Sendable`
/// so that it can be handed to that thread); ``waker`` is safe from any thread.
///
/// Unicast quirk: the kernel's unicast audit messages carry the payload length
/// in `nlmsg_len` instead of the whole message length; multicast copies carry
/// the standard length. The reader takes the payload length from the datagram,
/// which is right for both.
public final class AuditReader: @unchecked Sendable {
    /// The socket records arrive on.
    public let socket: AuditNetlinkSocket
    /// Stops ``run(_:)`` from another thread.
    public let waker: AuditReaderWaker
    /// Counters since creation.
    public private(set) var stats = AuditReaderStats()

    /// Messages per recvmmsg call.
    public let batchSize: Int
    /// Bytes per slot: the largest audit message (8970) plus the netlink header, rounded up.
    public static let slotSize = 9216
    /// A batch of at least this many records is taken as a burst in progress:
    /// the socket is then asked again until it is empty before the reader polls.
    public static let burstRecords: UInt64 = 8
    /// How often, when the socket is idle, ``AuditMessageConsumer/endOfBatch()`` is still called.
    public var tickMilliseconds: Int32 = 100
    /// Another descriptor polled beside the socket (-1: none): when it is
    /// readable, ``AuditMessageConsumer/sideDescriptorReady()`` is called, which
    /// must read what waits there.
    public var sideDescriptor: Int32 = -1

    private let slab: UnsafeMutableRawBufferPointer
    private let iovecs: UnsafeMutablePointer<iovec>
    private let headers: UnsafeMutablePointer<CAudit_mmsghdr>
    /// Each slot's sender address: only the kernel's (port id 0) is delivered.
    private let senders: UnsafeMutablePointer<sockaddr_nl>

    /// A reader on `socket`, receiving up to `batchSize` messages per call.
    /// `receiveBufferBytes` sizes the socket's receive queue (SO_RCVBUFFORCE).
    public init(socket: AuditNetlinkSocket, batchSize: Int = 64, receiveBufferBytes: Int = 64 << 20)
        throws(AuditError)
    {
        precondition(batchSize > 0)
        self.socket = socket
        self.batchSize = batchSize
        self.waker = try AuditReaderWaker()
        socket.setReceiveBufferSize(receiveBufferBytes)
        socket.setReportsOverruns(true)
        slab = .allocate(byteCount: batchSize * AuditReader.slotSize, alignment: 16)
        iovecs = .allocate(capacity: batchSize)
        headers = .allocate(capacity: batchSize)
        senders = .allocate(capacity: batchSize)
        for i in 0..<batchSize {
            iovecs[i] = iovec(iov_base: slab.baseAddress! + i * AuditReader.slotSize, iov_len: AuditReader.slotSize)
        }
    }

    deinit {
        slab.deallocate()
        iovecs.deallocate()
        headers.deallocate()
        senders.deallocate()
    }

    /// Receives and delivers records until ``AuditReaderWaker/stop()`` is called
    /// or `deadline` passes (returns normally), or the socket fails (throws).
    public func run<Consumer: AuditMessageConsumer>(
        _ consumer: inout Consumer, until deadline: ContinuousClock.Instant? = nil
    ) throws(AuditError) {
        waker.setRunning(true)
        defer { waker.setRunning(false) }
        var fds = [
            pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: waker.eventFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: sideDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        let polled = sideDescriptor >= 0 ? 3 : 2
        var inBurst = false
        loop: while !waker.isStopped {
            let before = stats.datagrams
            let drained = try drain(&consumer)
            if waker.isStopped { break loop }
            if let deadline, ContinuousClock.now >= deadline { break loop }
            // A batch that did not fill its slots emptied the socket. After a
            // trickle (a few records per wake-up) poll rather than ask again:
            // that second recvmmsg was one syscall per record returning EAGAIN.
            // After a burst, ask again until the socket stays empty: the
            // kernel's audit thread is likely still sending, and going to sleep
            // to be woken a moment later costs far more (~10 µs here) than an
            // empty receive. What arrives while polling makes poll return at once.
            let received = stats.datagrams &- before
            if drained && (received == 0 || received >= UInt64(batchSize)) { continue }
            if received >= Self.burstRecords { inBurst = true }
            if inBurst && received > 0 { continue }
            inBurst = false
            fds[0].revents = 0
            fds[1].revents = 0
            fds[2].revents = 0
            let ready = fds.withUnsafeMutableBufferPointer { p in
                valueOrErrno { system_poll(p.baseAddress!, polled, tickMilliseconds) }
            }
            switch ready {
            case .failure(let e): throw AuditError.system("poll(audit socket)", e.rawValue)
            case .success(0): consumer.endOfBatch()
            case .success:
                if fds[1].revents & Int16(POLLIN) != 0 { break loop }
                if fds[2].revents & Int16(POLLIN | POLLERR) != 0 { consumer.sideDescriptorReady() }
                if fds[0].revents & Int16(POLLERR | POLLNVAL) != 0 && fds[0].revents & Int16(POLLIN) == 0 {
                    // POLLERR on netlink is a pending ENOBUFS; the next recv reports it.
                    _ = try drain(&consumer)
                }
            }
        }
        waker.reset()
    }

    /// Receives one batch without blocking. Returns whether anything arrived
    /// (or an overrun was reported), i.e. whether to try again before polling.
    @discardableResult
    public func drain<Consumer: AuditMessageConsumer>(_ consumer: inout Consumer) throws(AuditError) -> Bool {
        for i in 0..<batchSize {
            headers[i] = CAudit_mmsghdr()
            headers[i].msg_hdr.msg_iov = iovecs + i
            headers[i].msg_hdr.msg_iovlen = 1
            headers[i].msg_hdr.msg_name = UnsafeMutableRawPointer(senders + i)
            headers[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_nl>.size)
        }
        let n = system_recvmmsg(socket.fd, headers, UInt32(batchSize), Int32(MSG_DONTWAIT))
        if n < 0 {
            let e = errno
            switch e {
            case EAGAIN, EWOULDBLOCK: return false
            case EINTR: return true
            case ENOBUFS:
                stats.overruns &+= 1
                return true
            case EBADF, EFAULT:
                preconditionFailure("recvmmsg on the audit socket: \(AuditError.describe(errno: e))")
            default:
                throw AuditError.system("recvmmsg(audit socket)", e)
            }
        }
        if n == 0 { return false }
        stats.batches &+= 1
        stats.datagrams &+= UInt64(n)
        let kernelOnly = socket.acceptsOnlyKernel
        for i in 0..<Int(n) {
            let length = Int(headers[i].msg_len)
            // Any process may send to this socket's port id: only the kernel's records count.
            if kernelOnly && !AuditNetlinkSocket.isKernel(senders[i], length: headers[i].msg_hdr.msg_namelen) {
                stats.foreignSenders &+= 1
                continue
            }
            if headers[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0 {
                stats.truncated &+= 1
                continue
            }
            let datagram = UnsafeRawBufferPointer(
                start: slab.baseAddress! + i * AuditReader.slotSize, count: min(length, AuditReader.slotSize))
            deliver(datagram, to: &consumer)
        }
        consumer.endOfBatch()
        return true
    }

    /// Splits a datagram into messages and delivers the audit records.
    private func deliver<Consumer: AuditMessageConsumer>(
        _ datagram: UnsafeRawBufferPointer, to consumer: inout Consumer
    ) {
        var rest = datagram
        while let header = NetlinkHeader(rest) {
            let declared = Int(header.length)
            // Unicast records declare the payload length; everything else the
            // whole message. A record is alone in its datagram either way.
            let end: Int
            if declared == rest.count || declared + NetlinkHeader.size == rest.count || declared > rest.count
                || declared < NetlinkHeader.size
            {
                end = rest.count
            } else {
                end = declared
            }
            if header.type < NL.minType {
                stats.controlMessages &+= 1
            } else {
                var payloadEnd = end
                while payloadEnd > NetlinkHeader.size {
                    let last = rest[payloadEnd - 1]
                    guard last == 0 || last == 0x0A else { break }
                    payloadEnd -= 1
                }
                let payload = UnsafeRawBufferPointer(rebasing: rest[NetlinkHeader.size..<payloadEnd])
                stats.messages &+= 1
                stats.bytes &+= UInt64(payload.count)
                consumer.consume(type: header.type, payload: payload)
            }
            let step = NL.align(end)
            if step >= rest.count { break }
            rest = UnsafeRawBufferPointer(rebasing: rest[step...])
        }
    }
}
