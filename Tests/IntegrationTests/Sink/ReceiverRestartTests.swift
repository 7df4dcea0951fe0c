import Foundation
import SinkKit
import TestSupport
import Testing

/// The receiver goes away while violations keep coming and comes back: every
/// violation arrives, in order, none twice (spool, reconnect, re-send of what
/// the dead connection never acknowledged).
@Suite(.serialized) struct ReceiverRestartTests {
    @Test(
        .enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)),
        arguments: ["tcp", "tls"])
    func restartedReceiverGetsEveryViolationInOrderOnce(transport: String) throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let receiver = try RsyslogReceiver()
        defer { receiver.close() }
        try receiver.start()
        let spec =
            transport == "tls"
            ? try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(receiver.tlsPort)?ca=\(receiver.caFile)&name=localhost")
            : try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(receiver.tcpPort)")
        let sink = try ViolationSink(
            configuration: .init(
                spec: spec, format: .cef, hostName: "node-1", spoolDirectory: receiver.directory + "/spool",
                throttle: Throttle(windowMS: 0, maxPerSecond: 0), backoff: Backoff(initialMS: 50, maxMS: 400)))
        let total = 600
        for serial in 0..<total {
            sink.submit(SyslogDeliveryTests.violation(UInt64(serial)))
            usleep(2_000)
            if serial == 200 {
                // Plain syslog has no application acknowledgement: what the receiver's kernel
                // acknowledged but rsyslogd had not read when it exits is lost, and no sender can
                // know it. Let a loaded receiver catch up first, so the test measures the sink.
                _ = receiver.waitForMessages(195, timeout: 10)
                receiver.stop()
            }
            if serial == 400 { try receiver.start() }
        }
        let lines = receiver.waitForMessages(total, timeout: 30)
        let counters = sink.counters.snapshot
        print("receiver restart over \(transport): \(counters)")
        #expect(sink.shutdown())
        let serials = lines.compactMap { line -> UInt64? in
            guard let (_, _, _, body) = SyslogDeliveryTests.splitSyslog(line, rfc3164: false) else { return nil }
            return SyslogDeliveryTests.fields(body, .cef)?.serial
        }
        #expect(serials.count == lines.count, "every line parses")
        let missing = Set(0..<UInt64(total)).subtracting(serials).sorted()
        let twice = Dictionary(grouping: serials, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(
            serials == (0..<UInt64(total)).map { $0 },
            "in order, none lost, none twice: missing \(missing), twice \(twice), counters \(counters); rsyslogd: \(receiver.diagnostics)")
        #expect(counters.spooled > 0, "the outage was bridged by the spool")
        #expect(counters.dropped == 0)
    }

    /// Over a unix datagram socket (/dev/log style) there are no acknowledgements:
    /// while the socket is gone, sends fail at once and go to the spool; when the
    /// receiver is back, the spool is delivered first, in order.
    @Test(.enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)))
    func unixSocketOutageIsBridgedByTheSpool() throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let receiver = try RsyslogReceiver()
        defer { receiver.close() }
        try receiver.start()
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+unix://\(receiver.unixSocket)"), format: .json, hostName: "node-1",
                spoolDirectory: receiver.directory + "/spool", throttle: Throttle(windowMS: 0, maxPerSecond: 0),
                backoff: Backoff(initialMS: 50, maxMS: 200)))
        for serial in 0..<10 { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))) }
        #expect(receiver.waitForMessages(10).count == 10)
        receiver.stop()
        for serial in 10..<20 { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))); usleep(5_000) }
        usleep(300_000)
        let whileDown = sink.counters.snapshot
        try receiver.start()
        for serial in 20..<30 { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))); usleep(5_000) }
        let lines = receiver.waitForMessages(30)
        #expect(sink.shutdown())
        let serials = lines.compactMap { line -> UInt64? in
            guard let (_, _, _, body) = SyslogDeliveryTests.splitSyslog(line, rfc3164: false) else { return nil }
            return SyslogDeliveryTests.fields(body, .json)?.serial
        }
        #expect(whileDown.spooled == 10)
        #expect(serials == (0..<30).map { UInt64($0) })
    }
}
