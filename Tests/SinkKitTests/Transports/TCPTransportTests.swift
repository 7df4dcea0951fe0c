import Foundation
import Testing

@testable import SinkKit

/// A loopback TCP listener in the test process that records the raw bytes of
/// one connection at a time.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var data: [UInt8] = []
    private var done = false
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 4)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        port = UInt16(bigEndian: addr.sin_port)
    }

    /// Accepts one connection and reads until `limit` bytes arrived, then closes it.
    func serveOnce(closingAfter limit: Int) {
        Thread.detachNewThread { [self] in
            let c = accept(fd, nil, nil)
            var buf = [UInt8](repeating: 0, count: 65536)
            var total = 0
            while total < limit {
                let n = read(c, &buf, min(buf.count, limit - total))
                if n <= 0 { break }
                lock.withLock { data += buf[0..<n] }
                total += n
            }
            Glibc.close(c)
            finished.signal()
        }
    }

    func waitServed() { finished.wait() }
    var received: [UInt8] { lock.withLock { data } }
    func close() { Glibc.close(fd) }
}

@Suite(.serialized) struct TCPTransportTests {
    /// Splits RFC 6587 octet-counted frames; nil if the stream is not exactly frames.
    static func frames(_ bytes: [UInt8]) -> [String]? {
        var out: [String] = []
        var i = 0
        while i < bytes.count {
            guard let sp = bytes[i...].firstIndex(of: 0x20), let len = Int(String(decoding: bytes[i..<sp], as: UTF8.self)),
                sp + 1 + len <= bytes.count
            else { return nil }
            out.append(String(decoding: bytes[(sp + 1)..<(sp + 1 + len)], as: UTF8.self))
            i = sp + 1 + len
        }
        return out
    }

    @Test func streamCarriesExactlyOneOctetCountedFramePerViolation() throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let v = Samples.violation(name: UntrustedBytes(Array("a b\n12 <13>1 forged".utf8)))
        var enc = MessageEncoder(formatter: CEFFormatter(), syslog: SyslogHeader(hostName: "n"))
        let one = enc.encode(v)
        let framedLength = "\(one.count) ".utf8.count + one.count
        listener.serveOnce(closingAfter: framedLength * 5)
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(listener.port)"), format: .cef, hostName: "n",
                throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for _ in 0..<5 { sink.submit(v) }
        listener.waitServed()
        sink.shutdown()
        let frames = try #require(Self.frames(listener.received))
        #expect(frames.count == 5)
        #expect(frames.allSatisfy { $0.hasPrefix("<") && $0.contains("CEF:0|callguard|") && $0.hasSuffix("callguardCallguardContainerRuntime=podman") })
    }

    @Test func hangUpIsDetectedAndLaterMessagesWaitInTheSpoolUntilTheReceiverReturns() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let listener = try LoopbackListener()
        defer { listener.close() }
        var enc = MessageEncoder(formatter: JSONFormatter(), syslog: SyslogHeader(hostName: "n"))
        let size = { (serial: UInt64) in let m = enc.encode(Samples.violation(serial: serial)); return "\(m.count) ".utf8.count + m.count }
        // First connection takes exactly serials 0...2, then the receiver hangs up.
        listener.serveOnce(closingAfter: (0..<3).map { size($0) }.reduce(0, +))
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(listener.port)"), hostName: "n", spoolDirectory: dir.path,
                throttle: Throttle(windowMS: 0, maxPerSecond: 0), backoff: Backoff(initialMS: 20, maxMS: 100)))
        for s in 0..<3 { sink.submit(Samples.violation(serial: UInt64(s))) }
        listener.waitServed()
        usleep(100_000)
        for s in 3..<10 { sink.submit(Samples.violation(serial: UInt64(s))); usleep(10_000) }
        let firstBytes = listener.received.count
        listener.serveOnce(closingAfter: (3..<10).map { size(UInt64($0)) }.reduce(0, +))
        listener.waitServed()
        sink.shutdown()
        let frames = try #require(Self.frames(listener.received))
        let serials = frames.compactMap { f -> Int? in
            guard let brace = f.firstIndex(of: "{") else { return nil }
            return ((FormatParsersShim.json(String(f[brace...]))?["event"]) as? [String: Any])?["sequence"] as? Int
        }
        #expect(firstBytes > 0)
        #expect(serials == Array(0..<10))
        #expect(sink.counters.snapshot.spooled > 0)
        #expect(sink.counters.snapshot.dropped == 0)
    }
}

enum FormatParsersShim {
    static func json(_ s: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any]
    }
}
