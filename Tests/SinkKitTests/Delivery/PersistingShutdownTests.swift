import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// `ViolationSink.shutdown(persisting:)` with a memory hold (what `replay`
/// uses): what the receiver did not take is kept and retried until it comes,
/// or counted as not delivered when the time is up; never dropped silently.
@Suite(.serialized) struct PersistingShutdownTests {
    /// A loopback port nothing listens on yet (bound once to find it, then released).
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// Starts listening on `port` after `delay` seconds and collects what one connection sends until it closes.
    final class LateReceiver: @unchecked Sendable {
        private let lock = NSLock()
        private var data: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(port: UInt16, after delay: Double) {
            Thread.detachNewThread { [self] in
                usleep(UInt32(delay * 1_000_000))
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = port.bigEndian
                addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                listen(fd, 4)
                let c = accept(fd, nil, nil)
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = read(c, &buf, buf.count)
                    if n <= 0 { break }
                    lock.withLock { data += buf[0..<n] }
                }
                close(c)
                close(fd)
                done.signal()
            }
        }

        /// What arrived, once the sender closed (or after `timeout` seconds).
        func received(timeout: Double) -> [UInt8] {
            _ = done.wait(timeout: .now() + timeout)
            return lock.withLock { data }
        }
    }

    static func sink(port: UInt16, holdBytes: Int = 1 << 20) throws -> ViolationSink {
        try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(port)"), format: .json,
                throttle: Throttle(windowMS: 0, maxPerSecond: 0), backoff: Backoff(initialMS: 50, maxMS: 400), holdBytes: holdBytes))
    }

    static func serials(_ bytes: [UInt8]) -> [Int] {
        (TCPTransportTests.frames(bytes) ?? []).compactMap { frame in
            guard let brace = frame.firstIndex(of: "{") else { return nil }
            return FormatParsers.value(FormatParsers.json(Array(frame[brace...].utf8)), at: "event.sequence") as? Int
        }
    }

    @Test func heldMessagesReachAReceiverThatComesUpBeforeTheDeadlineInOrder() throws {
        let port = Self.freePort()
        let sink = try Self.sink(port: port)
        for i in 0..<50 { sink.submit(Samples.violation(serial: UInt64(i))) }
        let receiver = LateReceiver(port: port, after: 1.5)
        #expect(sink.shutdown(timeout: 5, persisting: 20))
        let counters = sink.counters.snapshot
        #expect(Self.serials(receiver.received(timeout: 5)) == Array(0..<50), "\(counters)")
        #expect(counters.held == 50, "nothing could be sent before the receiver came: \(counters)")
        #expect(counters.dropped == 0 && counters.sent == 50)
    }

    @Test func aReceiverThatNeverComesCountsEveryHeldViolationAsTimedOut() throws {
        let sink = try Self.sink(port: Self.freePort())
        for i in 0..<30 { sink.submit(Samples.violation(serial: UInt64(i))) }
        let started = Date()
        #expect(sink.shutdown(timeout: 5, persisting: 1.5))
        let waited = Date().timeIntervalSince(started)
        let counters = sink.counters.snapshot
        #expect(waited >= 1.4 && waited < 5, "it retried for the time it was given: \(waited) s")
        #expect(counters.droppedByCause[.timeout] == 30, "\(counters)")
        #expect(counters.dropped == 30 && counters.sent == 0)
    }

    @Test func beyondTheMemoryBoundWithoutASpoolTheRestIsCountedNotKept() throws {
        let probe = Samples.violation(serial: 1)
        let spec = try SinkSpec(parsing: "syslog+tcp://127.0.0.1:1")
        var encoder = MessageEncoder(formatter: ViolationFormat.json.formatter(), syslog: spec.syslogHeader(hostName: SinkConfiguration.systemHostName()))
        let size = encoder.encode(probe).count
        let sink = try Self.sink(port: Self.freePort(), holdBytes: size * 10 + size / 2)
        for i in 0..<25 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown(timeout: 5, persisting: 0.5))
        let counters = sink.counters.snapshot
        #expect(counters.held == 10, "\(counters)")
        #expect(counters.droppedByCause[.noSpool] == 15)
        #expect(counters.droppedByCause[.timeout] == 10)
    }

    /// `run`'s sinks hold nothing in memory: a lost connection's messages go to
    /// the spool, which survives a restart of the agent.
    @Test func withoutAHoldWhatCannotBeSentGoesStraightToTheSpool() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(Self.freePort())"), spoolDirectory: dir.path + "/spool",
                throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for i in 0..<20 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown())
        let counters = sink.counters.snapshot
        #expect(counters.held == 0 && counters.spooled == 20 && counters.spoolMessages == 20, "\(counters)")
    }
}
