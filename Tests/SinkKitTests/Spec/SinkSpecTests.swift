import Testing

@testable import SinkKit

@Suite struct SinkSpecTests {
    @Test func stdoutAndFileParse() throws {
        #expect(try SinkSpec(parsing: "stdout") == .stdout)
        #expect(try SinkSpec(parsing: "file:/var/log/cg.json") == .file(path: "/var/log/cg.json"))
    }

    @Test func syslogSchemesParseHostAndPort() throws {
        #expect(try SinkSpec(parsing: "syslog+unix:///dev/log") == .syslog(.init(transport: .unix(path: "/dev/log"))))
        #expect(try SinkSpec(parsing: "syslog+udp://10.0.0.1:514") == .syslog(.init(transport: .udp(host: "10.0.0.1", port: 514))))
        #expect(try SinkSpec(parsing: "syslog+tcp://siem.example:601") == .syslog(.init(transport: .tcp(host: "siem.example", port: 601))))
        #expect(try SinkSpec(parsing: "syslog+tcp://[::1]:601") == .syslog(.init(transport: .tcp(host: "::1", port: 601))))
        guard case .syslog(let d) = try SinkSpec(parsing: "syslog+tls://siem:6514") else { Issue.record("not syslog"); return }
        #expect(d.transport == .tls(host: "siem", port: 6514, TLSOptions(serverName: "siem")))
    }

    @Test func optionsSetFacilityLayoutFramingAndTLSFiles() throws {
        let spec = try SinkSpec(parsing: "syslog+tls://10.1.1.1:6514?ca=/ca.pem&cert=/c.pem&key=/k.pem&name=siem.corp&facility=local4&rfc3164&framing=lf")
        guard case .syslog(let d) = spec else { Issue.record("not syslog"); return }
        #expect(d.facility == .local4)
        #expect(d.layout == .rfc3164)
        #expect(d.framing == .lineFeed)
        #expect(d.transport == .tls(host: "10.1.1.1", port: 6514, TLSOptions(caFile: "/ca.pem", certificateFile: "/c.pem", privateKeyFile: "/k.pem", serverName: "siem.corp")))
    }

    @Test(arguments: [
        "", "file:", "syslog://h:1", "syslog+tcp://h", "syslog+tcp://h:0", "syslog+tcp://h:99999", "syslog+udp://:514",
        "syslog+unix://relative", "syslog+tcp://h:1?ca=/x", "syslog+tcp://h:1?facility=bogus", "syslog+tcp://h:1?what=1",
    ])
    func invalidSpecsAreRejectedWithAReason(text: String) {
        #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: text) }
    }

    /// `?name=` and a bare `?name` used to set the expected name to "", which
    /// OpenSSL takes as "check no name" (issue 12, item 5).
    @Test(arguments: ["syslog+tls://siem:6514?name=", "syslog+tls://siem:6514?name", "syslog+tls://siem:6514?ca=/ca.pem&name=&facility=auth"])
    func anEmptyExpectedServerNameIsRefusedAndSaysWhatToWrite(text: String) {
        let error = #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: text) }
        #expect(error?.reason.contains("name=siem.example.net") == true, "\(String(describing: error))")
        #expect(error?.reason.contains("leave name out") == true)
    }

    @Test(arguments: ["ca", "cert", "key"])
    func anEmptyTLSFileOptionIsRefused(key: String) {
        #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: "syslog+tls://siem:6514?\(key)=") }
        #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: "syslog+tls://siem:6514?\(key)") }
    }

    /// `?name=a&name=` must not let the later, empty one win (or the earlier one, silently).
    @Test func anOptionGivenTwiceIsRefused() {
        let error = #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: "syslog+tls://siem:6514?name=siem.corp&name=other.corp") }
        #expect(error?.reason.contains("twice") == true)
    }

    /// A name OpenSSL would not check as written: a NUL (C reads "" or a prefix:
    /// "" turns the check off), a leading dot (OpenSSL then accepts any subdomain),
    /// a wildcard, a space or a control character. The host, when name= is left
    /// out, is held to the same rule.
    @Test(arguments: [
        "syslog+tls://siem:6514?name=\u{0}", "syslog+tls://siem:6514?name=\u{0}siem", "syslog+tls://siem:6514?name=siem\u{0}evil",
        "syslog+tls://siem:6514?name=.corp.example", "syslog+tls://siem:6514?name=*.corp.example",
        "syslog+tls://siem:6514?name=siem corp", "syslog+tls://siem:6514?name=siem\u{7}", "syslog+tls://.corp.example:6514",
    ])
    func anExpectedServerNameOpenSSLWouldNotCheckAsWrittenIsRefused(text: String) {
        #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: text) }
    }

    @Test(arguments: ["siem.corp.example", "siem-1.corp.example.", "10.0.0.7", "::1", "fe80::1", "localhost"])
    func ordinaryServerNamesAndAddressesAreKept(name: String) throws {
        guard case .syslog(let d) = try SinkSpec(parsing: "syslog+tls://siem:6514?name=\(name)"),
            case .tls(_, _, let tls) = d.transport
        else {
            Issue.record("not a TLS sink")
            return
        }
        #expect(tls.serverName == name)
    }
}
