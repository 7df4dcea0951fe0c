import CAudit
import Glibc
import Testing

@testable import AuditKit

/// The reader's framing of netlink datagrams, fed through a Unix datagram socketpair.
@Suite
struct AuditReaderFramingTests {
    /// Collects what the reader delivers.
    struct Collector: AuditMessageConsumer {
        var messages: [(UInt16, [UInt8])] = []
        var batches = 0
        mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
            messages.append((type, Array(payload)))
        }
        mutating func endOfBatch() { batches += 1 }
    }

    /// A reader on one end of a socketpair, and the other end to write datagrams to.
    struct Pair {
        let reader: AuditReader
        let writer: Int32

        init(batchSize: Int = 64) throws {
            var fds: [Int32] = [0, 0]
            precondition(socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0, &fds) == 0)
            var size: Int32 = 1 << 20
            setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(4))
            reader = try AuditReader(
                socket: AuditNetlinkSocket(adopting: fds[0]), batchSize: batchSize, receiveBufferBytes: 4 << 20)
            writer = fds[1]
        }

        /// Sends one datagram: a netlink header declaring `declaredLength`, then `payload`.
        func send(type: UInt16, payload: [UInt8], declaredLength: UInt32? = nil) {
            var bytes = [UInt8](repeating: 0, count: 16 + payload.count)
            let length = declaredLength ?? UInt32(16 + payload.count)
            bytes.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: length, toByteOffset: 0, as: UInt32.self)
                raw.storeBytes(of: type, toByteOffset: 4, as: UInt16.self)
            }
            bytes.replaceSubrange(16..., with: payload)
            let sent = bytes.withUnsafeBytes { Glibc.send(writer, $0.baseAddress, $0.count, 0) }
            precondition(sent == bytes.count, "send failed: \(errno)")
        }

        func drainAll(_ collector: inout Collector) throws {
            while try reader.drain(&collector) {}
        }
    }

    static let record = Array("audit(1700000000.123:456): arch=c000003e syscall=63 success=yes".utf8)

    @Test func unicastLengthQuirkStillDeliversTheWholePayload() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.send(type: 1300, payload: Self.record, declaredLength: UInt32(Self.record.count))
        var c = Collector()
        try pair.drainAll(&c)
        #expect(c.messages.count == 1)
        #expect(c.messages.first?.0 == 1300)
        #expect(c.messages.first?.1 == Self.record)
    }

    @Test func standardLengthDeliversTheWholePayload() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.send(type: 1300, payload: Self.record)
        var c = Collector()
        try pair.drainAll(&c)
        #expect(c.messages.map(\.1) == [Self.record])
    }

    @Test func trailingNulAndNewlineAreTrimmed() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.send(type: 1327, payload: Self.record + [0x0A, 0])
        var c = Collector()
        try pair.drainAll(&c)
        #expect(c.messages.map(\.1) == [Self.record])
    }

    @Test func netlinkControlMessagesAreSkippedAndCounted() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.send(type: UInt16(NLMSG_ERROR), payload: [0, 0, 0, 0])
        pair.send(type: UInt16(NLMSG_DONE), payload: [])
        pair.send(type: 1320, payload: Array("audit(1.000:1): ".utf8))
        var c = Collector()
        try pair.drainAll(&c)
        #expect(c.messages.map(\.0) == [1320])
        #expect(pair.reader.stats.controlMessages == 2)
    }

    @Test func datagramLargerThanASlotIsCountedAsTruncated() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.send(type: 1300, payload: [UInt8](repeating: 0x41, count: AuditReader.slotSize + 100))
        pair.send(type: 1300, payload: Self.record)
        var c = Collector()
        try pair.drainAll(&c)
        #expect(pair.reader.stats.truncated == 1)
        #expect(c.messages.map(\.1) == [Self.record])
    }

    @Test func manyDatagramsArriveInOrderAcrossBatches() throws {
        let pair = try Pair(batchSize: 8)
        defer { close(pair.writer) }
        for i in 0..<100 {
            pair.send(type: 1300, payload: Array("audit(1.000:\(i)): n=\(i)".utf8))
        }
        var c = Collector()
        try pair.drainAll(&c)
        #expect(c.messages.count == 100)
        #expect(c.messages.map { String(decoding: $0.1, as: UTF8.self) } == (0..<100).map { "audit(1.000:\($0)): n=\($0)" })
        #expect(pair.reader.stats.batches >= 13)
        #expect(c.batches == Int(pair.reader.stats.batches))
        #expect(pair.reader.stats.messages == 100)
    }

    @Test func runReturnsWhenTheWakerIsStopped() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        pair.reader.waker.stop()
        var c = Collector()
        let started = ContinuousClock.now
        try pair.reader.run(&c, until: .now + .seconds(30))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!pair.reader.waker.isStopped, "the waker is reset for the next run")
    }

    @Test func runReturnsAtTheDeadline() throws {
        let pair = try Pair()
        defer { close(pair.writer) }
        var c = Collector()
        let started = ContinuousClock.now
        try pair.reader.run(&c, until: .now + .milliseconds(300))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(5))
    }
}
