import Testing

@testable import SinkKit

@Suite struct SyslogHeaderTests {
    func header(_ h: SyslogHeader, severity: SyslogSeverity = .error) -> String {
        var out: [UInt8] = []
        h.write(severity: severity, time: Timestamp(millisecondsSinceEpoch: 1_795_932_000_123), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func rfc5424HeaderHasPriVersionTimeHostAppProcidMsgid() {
        let h = SyslogHeader(facility: .local3, hostName: "node-1", procID: "77", msgID: "violation")
        #expect(header(h) == "<155>1 2026-11-29T06:00:00.123Z node-1 callguard 77 violation - ")
    }

    @Test func rfc3164HeaderHasBSDTimestampAndTag() {
        let h = SyslogHeader(facility: .auth, hostName: "node-1", procID: "77", layout: .rfc3164)
        #expect(header(h, severity: .warning) == "<36>Nov 29 06:00:00 node-1 callguard[77]: ")
    }

    @Test func priCombinesFacilityAndViolationSeverity() {
        #expect(SyslogSeverity(violationSeverity: 10) == .critical)
        #expect(SyslogSeverity(violationSeverity: 7) == .error)
        #expect(SyslogSeverity(violationSeverity: 5) == .warning)
        #expect(SyslogSeverity(violationSeverity: 1) == .notice)
        let h = SyslogHeader(facility: .authpriv, hostName: "h", procID: "1")
        #expect(header(h, severity: .critical).hasPrefix("<82>1 "))
    }

    @Test func headerFieldsAreReducedToPrintableASCII() {
        let h = SyslogHeader(hostName: "bad host\nname", procID: "1")
        #expect(header(h).contains(" bad_host_name callguard "))
        #expect(SyslogHeader(hostName: "", procID: "1").hostName == "-")
    }

    @Test func facilityNamesParse() {
        #expect(SyslogFacility(name: "local7") == .local7)
        #expect(SyslogFacility(name: "AUTHPRIV") == .authpriv)
        #expect(SyslogFacility(name: "13") == .security)
        #expect(SyslogFacility(name: "nope") == nil)
    }

    @Test func octetCountingPrefixesTheByteLength() {
        var out: [UInt8] = []
        Array("<1>1 é".utf8).withUnsafeBytes { StreamFraming.octetCounting.frame($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "7 <1>1 é")
    }

    @Test func lineFeedFramingAppendsOneNewline() {
        var out: [UInt8] = []
        Array("m".utf8).withUnsafeBytes { StreamFraming.lineFeed.frame($0, into: &out) }
        #expect(out == [0x6D, 0x0A])
    }

    @Test func encoderPutsTheHeaderBeforeTheFormattedBody() {
        var enc = MessageEncoder(formatter: CEFFormatter(), syslog: SyslogHeader(hostName: "n", procID: "9"))
        let msg = String(decoding: enc.encode(Samples.violation()), as: UTF8.self)
        #expect(msg.hasPrefix("<35>1 2026-11-29T06:00:00.123Z n callguard 9 violation - CEF:0|callguard|"))
    }
}
