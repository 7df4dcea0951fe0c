import Foundation
import SinkKit
import TestSupport
import Testing

/// `syslog+relp://` against a real rsyslogd with `imrelp`: every violation is
/// acknowledged, so a `kill -9` of the receiver loses none (at-least-once: the
/// last window is sent again), a receiver that is down at start gets the spool
/// in order, and RELP over TLS refuses a receiver it cannot verify.
@Suite(.serialized) struct RELPDeliveryTests {
    static let ready = RequireIntegration.shouldRun(RsyslogReceiver.relpPrerequisitesPresent)
    static func present() -> Bool {
        RequireIntegration.check(RsyslogReceiver.relpPrerequisitesPresent, "rsyslogd, rsyslog-relp, rsyslog-gnutls and openssl")
    }

    static func sink(_ spec: String, _ receiver: RsyslogReceiver) throws -> ViolationSink {
        try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: spec), format: .cef, hostName: "node-1", spoolDirectory: receiver.directory + "/spool",
                throttle: Throttle(windowMS: 0, maxPerSecond: 0), backoff: Backoff(initialMS: 50, maxMS: 400)))
    }

    /// The audit serials in the receiver's RELP output, in arrival order.
    static func serials(_ lines: [String]) -> [UInt64] {
        lines.compactMap { line -> UInt64? in
            guard let (_, _, _, body) = SyslogDeliveryTests.splitSyslog(line, rfc3164: false) else { return nil }
            return SyslogDeliveryTests.fields(body, .cef)?.serial
        }
    }

    @Test(.enabled(if: ready))
    func everyViolationSurvivesAKill9OfTheReceiver() throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        try receiver.start()
        let window = 16
        let sink = try Self.sink("syslog+relp://127.0.0.1:\(receiver.relpPort)?window=\(window)", receiver)
        let total = 2000
        var killedAt = 0
        for serial in 0..<total {
            sink.submit(SyslogDeliveryTests.violation(UInt64(serial)))
            usleep(500)
            if serial == 800 {
                // No waiting for the receiver to catch up: what it had not acknowledged must come again.
                killedAt = receiver.received(receiver.relpReceivedFile).count
                receiver.kill9()
            }
            if serial == 1300 { try receiver.start() }
        }
        let lines = receiver.waitForMessages(total, timeout: 30, file: receiver.relpReceivedFile)
        let counters = sink.counters.snapshot
        #expect(sink.shutdown())
        let serials = Self.serials(lines)
        #expect(serials.count == lines.count, "every line parses")
        let missing = Set(0..<UInt64(total)).subtracting(serials).sorted()
        let duplicates = serials.count - Set(serials).count
        print("relp through kill -9 (\(killedAt) lines before it): \(lines.count) lines, \(duplicates) duplicates, \(counters)")
        #expect(missing.isEmpty, "missing \(missing.count): \(missing.prefix(20)); counters \(counters); rsyslogd: \(receiver.diagnostics)")
        #expect(duplicates <= window + 1, "one connection loss sends one window (and the failed message) again, not \(duplicates)")
        var seen = Set<UInt64>()
        let firstArrivals = serials.filter { seen.insert($0).inserted }
        #expect(firstArrivals == (0..<UInt64(total)).map { $0 }, "first arrivals in order")
        #expect(counters.spooled > 0, "the outage was bridged by the spool")
        #expect(counters.dropped == 0)
    }

    @Test(.enabled(if: ready))
    func receiverDownAtStartGetsTheSpoolInOrder() throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        let sink = try Self.sink("syslog+relp://127.0.0.1:\(receiver.relpPort)", receiver)
        let total = 300
        for serial in 0..<total { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))) }
        let deadline = Date(timeIntervalSinceNow: 5)
        while sink.counters.snapshot.spooled < total && Date() < deadline { usleep(20_000) }
        let whileDown = sink.counters.snapshot
        try receiver.start()
        let lines = receiver.waitForMessages(total, timeout: 20, file: receiver.relpReceivedFile)
        #expect(sink.shutdown())
        #expect(whileDown.spooled == total, "all spooled while the receiver was down: \(whileDown)")
        #expect(Self.serials(lines) == (0..<UInt64(total)).map { $0 }, "every one, in order, once; rsyslogd: \(receiver.diagnostics)")
    }

    /// Fewer messages than the window prove nothing by themselves: at shutdown
    /// the sink closes the RELP session politely, and the answer to `close`
    /// (after every earlier answer) confirms them, so none is kept to re-send.
    @Test(.enabled(if: ready))
    func shutdownConfirmsTheLastWindowAndKeepsNothingToResend() throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        try receiver.start()
        let sink = try Self.sink("syslog+relp://127.0.0.1:\(receiver.relpPort)?window=64", receiver)
        for serial in 0..<30 { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))) }
        let lines = receiver.waitForMessages(30, file: receiver.relpReceivedFile)
        #expect(sink.shutdown())
        let counters = sink.counters.snapshot
        #expect(Self.serials(lines) == (0..<30).map { UInt64($0) })
        #expect(counters.resent == 0 && counters.spoolBytes == 0, "the acknowledged tail is not kept: \(counters)")
    }

    @Test(.enabled(if: ready))
    func relpOverTLSDeliversToAVerifiedReceiver() throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        try receiver.start()
        let probe = RELPTransport(
            host: "127.0.0.1", port: receiver.relpTLSPort,
            options: RELPOptions(
                tls: TLSOptions(
                    caFile: receiver.caFile, certificateFile: receiver.clientCertificate, privateKeyFile: receiver.clientKey,
                    serverName: "localhost")))
        #expect(throws: Never.self, "the right CA and name open a session") { try probe.open() }
        probe.close()
        let sink = try Self.sink("syslog+relp+tls://127.0.0.1:\(receiver.relpTLSPort)?ca=\(receiver.caFile)&name=localhost"
                + "&cert=\(receiver.clientCertificate)&key=\(receiver.clientKey)", receiver)
        for serial in 0..<20 { sink.submit(SyslogDeliveryTests.violation(UInt64(serial))) }
        let lines = receiver.waitForMessages(20, file: receiver.relpReceivedFile)
        #expect(sink.shutdown())
        #expect(Self.serials(lines) == (0..<20).map { UInt64($0) }, "rsyslogd: \(receiver.diagnostics)")
    }

    @Test(.enabled(if: ready), arguments: ["wrong CA", "wrong name"])
    func relpOverTLSRefusesAReceiverItCannotVerify(_ mistake: String) throws {
        guard Self.present() else { return }
        let receiver = try RsyslogReceiver(relp: true)
        defer { receiver.close() }
        try receiver.start()
        let tls =
            mistake == "wrong CA"
            ? TLSOptions(
                caFile: receiver.otherCAFile, certificateFile: receiver.clientCertificate, privateKeyFile: receiver.clientKey,
                serverName: "localhost")
            : TLSOptions(
                caFile: receiver.caFile, certificateFile: receiver.clientCertificate, privateKeyFile: receiver.clientKey,
                serverName: "siem.example.net")
        let transport = RELPTransport(host: "127.0.0.1", port: receiver.relpTLSPort, options: RELPOptions(tls: tls))
        defer { transport.close() }
        #expect(throws: TransportError.self, "\(mistake) must fail the handshake") { try transport.open() }
        do {
            try transport.open()
        } catch {
            print("relp+tls, \(mistake): \(error)")
            #expect(error.tlsStep == .certificateVerification || error.tlsStep == .handshake, "\(error)")
        }
        usleep(200_000)
        #expect(receiver.received(receiver.relpReceivedFile).isEmpty)
    }
}
