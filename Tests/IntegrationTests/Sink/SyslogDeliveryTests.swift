import Foundation
import SinkKit
import TestSupport
import Testing

/// Every syslog transport against a real rsyslogd: what arrives parses back into
/// the fields that were sent, including hostile process names.
@Suite(.serialized) struct SyslogDeliveryTests {
    static let hostileName = UntrustedBytes(Array("sh|x=1\\ CEF:0|a|b|c|d|e|10|\nforged".utf8) + [0xFF, 0xC3])
    /// A fake JSON field, a fake LEEF attribute, then 4 KiB of every byte value.
    static let hostileExe = UntrustedBytes(
        Array("/tmp/\",\"count\":9,\"x\":\"\tsev=0^cat=x".utf8) + (0..<4096).map { UInt8(truncatingIfNeeded: $0) })

    static func violation(_ serial: UInt64) -> Violation {
        Violation(
            timestamp: .now(), event: .init(severity: 9), hostName: "node-1",
            container: .init(id: "3a5b0c", runtime: "podman", imageName: "localhost/app:1.0"),
            process: .init(pid: 4242, ppid: 1, name: hostileName, executable: hostileExe, userID: "1000"),
            syscall: .init(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1),
            policy: .init(name: "app", file: "policies/app.yaml"),
            audit: .init(serial: serial, time: .now()))
    }

    /// (spec built from the receiver, format, transport label)
    static let cases: [(label: String, format: ViolationFormat)] = [
        ("udp", .json), ("udp", .cef), ("tcp", .json), ("tcp", .cef), ("tcp", .leef), ("tls", .json), ("tls", .leef),
        ("mtls", .cef), ("tls-ip-san", .cef), ("unix", .json), ("unix", .leef), ("tcp-rfc3164-lf", .json),
    ]

    static func spec(_ label: String, _ r: RsyslogReceiver) throws -> SinkSpec {
        switch label {
        case "udp": return try SinkSpec(parsing: "syslog+udp://127.0.0.1:\(r.udpPort)?facility=local5")
        case "tcp": return try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(r.tcpPort)?facility=local5")
        case "tcp-rfc3164-lf": return try SinkSpec(parsing: "syslog+tcp://127.0.0.1:\(r.tcpPort)?facility=local5&rfc3164&framing=lf")
        case "tls": return try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(r.tlsPort)?facility=local5&ca=\(r.caFile)&name=localhost")
        case "tls-ip-san":  // no name=: the address itself must match the certificate's IP SAN
            return try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(r.tlsPort)?facility=local5&ca=\(r.caFile)")
        case "mtls":
            return try SinkSpec(
                parsing: "syslog+tls://127.0.0.1:\(r.mutualTLSPort)?facility=local5&ca=\(r.caFile)&name=localhost&cert=\(r.clientCertificate)&key=\(r.clientKey)")
        default: return try SinkSpec(parsing: "syslog+unix://\(r.unixSocket)?facility=local5")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)), arguments: 0..<cases.count)
    func transportDeliversAndMessagesParseBackIntoTheSameFields(index: Int) throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let (label, format) = Self.cases[index]
        let receiver = try RsyslogReceiver()
        defer { receiver.close() }
        try receiver.start()
        let sink = try ViolationSink(
            configuration: .init(
                spec: try Self.spec(label, receiver), format: format, hostName: "node-1",
                throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for serial in 1...20 { sink.submit(Self.violation(UInt64(serial))) }
        let lines = receiver.waitForMessages(20)
        #expect(sink.shutdown())
        #expect(lines.count == 20, "\(label)/\(format): \(sink.counters.snapshot)")
        var serials: [UInt64] = []
        for line in lines {
            let (pri, host, app, body) = try #require(Self.splitSyslog(line, rfc3164: label.contains("3164")), "\(line)")
            #expect(pri == 21 * 8 + 2)  // local5, critical (severity 9)
            #expect(host == "node-1")
            #expect(app == "callguard")
            let fields = try #require(Self.fields(body, format), "\(format) body did not parse: \(body)")
            // The display form decodes to exactly the bytes the process had.
            #expect(FormatParsers.undisplay(fields.name) == Self.hostileName.bytes)
            #expect(FormatParsers.undisplay(fields.executable) == Self.hostileExe.bytes)
            #expect(fields.syscall == "ptrace")
            #expect(fields.image == "localhost/app:1.0")
            serials.append(fields.serial)
        }
        #expect(serials == Array(1...20))
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)))
    func tlsRefusesAReceiverWhoseNameDoesNotMatch() throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let receiver = try RsyslogReceiver()
        defer { receiver.close() }
        try receiver.start()
        let spool = receiver.directory + "/spool"
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(receiver.tlsPort)?ca=\(receiver.caFile)&name=siem.example"),
                spoolDirectory: spool, throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for serial in 1...3 { sink.submit(Self.violation(UInt64(serial))) }
        usleep(500_000)
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(c.sent == 0)
        #expect(c.spooled == 3)
        #expect(c.errors >= 1)
        #expect(receiver.received().isEmpty)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)))
    func tlsRefusesAReceiverSignedByAnotherCA() throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let receiver = try RsyslogReceiver()
        let other = try RsyslogReceiver()  // only its CA is used
        defer { receiver.close(); other.close() }
        try receiver.start()
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(receiver.tlsPort)?ca=\(other.caFile)&name=localhost"),
                throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        sink.submit(Self.violation(1))
        usleep(500_000)
        #expect(sink.shutdown())
        #expect(sink.counters.snapshot.sent == 0)
        #expect(sink.counters.snapshot.dropped == 1)  // no spool configured: counted, not silent
        #expect(receiver.received().isEmpty)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(RsyslogReceiver.prerequisitesPresent)))
    func mutualTLSWithoutAClientCertificateDeliversNothing() throws {
        guard RequireIntegration.check(RsyslogReceiver.prerequisitesPresent, "rsyslogd, rsyslog-gnutls and openssl") else { return }
        let receiver = try RsyslogReceiver()
        defer { receiver.close() }
        try receiver.start()
        let sink = try ViolationSink(
            configuration: .init(
                spec: try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(receiver.mutualTLSPort)?ca=\(receiver.caFile)&name=localhost"),
                spoolDirectory: receiver.directory + "/spool", throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for serial in 1...3 { sink.submit(Self.violation(UInt64(serial))); usleep(100_000) }
        usleep(300_000)
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(receiver.received().isEmpty)
        #expect(c.sent == 0, "\(c)")
        #expect(c.spooled == 3 && c.resent == 0, "refused before anything was written; kept for later: \(c)")
    }

    // MARK: - Parsing what rsyslogd wrote

    /// PRI, host, app-name and body of an RFC 5424 or RFC 3164 line.
    static func splitSyslog(_ line: String, rfc3164: Bool) -> (Int, String, String, String)? {
        guard line.hasPrefix("<"), let close = line.firstIndex(of: ">"), let pri = Int(line[line.index(after: line.startIndex)..<close])
        else { return nil }
        let rest = line[line.index(after: close)...]
        if rfc3164 {
            // Mmm dd hh:mm:ss HOST APP[PID]: MSG
            let parts = rest.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard parts.count == 6, let bracket = parts[4].firstIndex(of: "["), parts[4].hasSuffix("]:") else { return nil }
            return (pri, String(parts[3]), String(parts[4][..<bracket]), String(parts[5]))
        }
        let parts = rest.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "1", parts[5] == "violation" else { return nil }
        // VERSION TS HOST APP PROCID MSGID SD MSG → after 6 splits, parts[6] = "SD MSG"
        let sdAndMsg = parts[6]
        guard sdAndMsg.hasPrefix("- ") else { return nil }
        return (pri, String(parts[2]), String(parts[3]), String(sdAndMsg.dropFirst(2)))
    }

    struct Fields { var name: String; var executable: String; var syscall: String; var image: String; var serial: UInt64 }

    static func fields(_ body: String, _ format: ViolationFormat) -> Fields? {
        switch format {
        case .json:
            guard let o = FormatParsers.json(Array(body.utf8)), let p = o["process"] as? [String: Any],
                let s = FormatParsers.value(o, at: "callguard.syscall") as? [String: Any], let c = o["container"] as? [String: Any],
                let serial = FormatParsers.value(o, at: "event.sequence") as? Int
            else { return nil }
            return Fields(
                name: p["name"] as? String ?? "", executable: p["executable"] as? String ?? "", syscall: s["name"] as? String ?? "",
                image: (c["image"] as? [String: Any])?["name"] as? String ?? "", serial: UInt64(serial))
        case .cef:
            guard let c = FormatParsers.cef(body), let serial = c.ext["externalId"].flatMap({ UInt64($0) }) else { return nil }
            return Fields(name: c.ext["sproc"] ?? "", executable: c.ext["callguardCallguardExecutable"] ?? "", syscall: c.ext["cs1"] ?? "", image: c.ext["cs6"] ?? "", serial: serial)
        case .leef:
            guard let l = FormatParsers.leef(body), let serial = l.attrs["auditSerial"].flatMap({ UInt64($0) }) else { return nil }
            return Fields(
                name: l.attrs["processName"] ?? "", executable: l.attrs["processPath"] ?? "", syscall: l.attrs["syscall"] ?? "",
                image: l.attrs["containerImage"] ?? "", serial: serial)
        }
    }
}
