import CAudit
import Glibc
import Testing

@testable import AuditKit

/// Only the kernel speaks on the audit socket: any process can `sendto` a
/// netlink port id, so a datagram whose sender port id is not 0 is dropped.
@Suite
struct AuditReaderSenderTests {
    struct Collector: AuditMessageConsumer {
        var messages: [(UInt16, [UInt8])] = []
        mutating func consume(type: UInt16, payload: UnsafeRawBufferPointer) {
            messages.append((type, Array(payload)))
        }
        mutating func endOfBatch() {}
    }

    /// Sends a forged SYSCALL record from a second NETLINK_AUDIT socket to `port`.
    static func forge(to port: UInt32) throws -> Int {
        let sender = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_AUDIT)
        try #require(sender >= 0, "socket(NETLINK_AUDIT): errno \(errno)")
        defer { close(sender) }
        let text = Array("audit(1700000000.123:456): arch=c000003e syscall=101 success=yes exit=0 pid=1 comm=\"forged\"".utf8)
        var bytes = [UInt8](repeating: 0, count: 16 + text.count)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(16 + text.count), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt16(1300), toByteOffset: 4, as: UInt16.self)
        }
        bytes.replaceSubrange(16..., with: text)
        var destination = sockaddr_nl()
        destination.nl_family = sa_family_t(AF_NETLINK)
        destination.nl_pid = port
        return bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sender, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
    }

    @Test func recordSentByAnotherProcessToTheReadersPortIsDroppedAndCounted() throws {
        let reader = try AuditReader(socket: AuditNetlinkSocket(), receiveBufferBytes: 1 << 20)
        let port = reader.socket.portID
        try #require(port != 0)
        let sent = try Self.forge(to: port)
        try #require(sent > 0, "a userspace process can send to the reader's port (errno \(errno))")

        var collector = Collector()
        var deadline = 50
        while reader.stats.datagrams == 0 && deadline > 0 {
            _ = try reader.drain(&collector)
            usleep(10_000)
            deadline -= 1
        }

        #expect(reader.stats.datagrams == 1, "the forged datagram arrived")
        #expect(collector.messages.isEmpty, "a forged record must not reach the consumer")
        #expect(reader.stats.foreignSenders == 1)
    }
}
