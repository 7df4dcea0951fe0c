import Testing

@testable import SinkKit

/// `syslog+relp://` and `syslog+relp+tls://`: the same TLS options as
/// `syslog+tls`, a bounded window, and no expected name librelp cannot check.
@Suite struct RELPSinkSpecTests {
    @Test func relpParsesHostPortAndTheDefaultWindow() throws {
        guard case .syslog(let d) = try SinkSpec(parsing: "syslog+relp://siem.example:2514") else { Issue.record("not syslog"); return }
        #expect(d.transport == .relp(host: "siem.example", port: 2514, RELPOptions()))
        #expect(RELPOptions().window == 64)
    }

    @Test func relpOverTLSTakesTheTLSOptionsAndAWindow() throws {
        let spec = try SinkSpec(parsing: "syslog+relp+tls://10.1.1.1:2514?ca=/ca.pem&cert=/c.pem&key=/k.pem&name=siem.corp&window=8")
        guard case .syslog(let d) = spec else { Issue.record("not syslog"); return }
        let tls = TLSOptions(caFile: "/ca.pem", certificateFile: "/c.pem", privateKeyFile: "/k.pem", serverName: "siem.corp")
        #expect(d.transport == .relp(host: "10.1.1.1", port: 2514, RELPOptions(tls: tls, window: 8)))
    }

    /// librelp checks DNS names and CN only: an address as the expected name would be compared as text.
    @Test func relpOverTLSToAnAddressWithoutNameIsRefusedAndSaysWhatToWrite() {
        let error = #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: "syslog+relp+tls://10.1.1.1:2514?ca=/ca.pem") }
        #expect(error?.reason.contains("name=") == true)
    }

    /// librelp verifies against a CA file only; without one nothing could verify.
    @Test func relpOverTLSWithoutCAIsRefusedAndSaysWhatToWrite() {
        let error = #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: "syslog+relp+tls://siem.corp:2514") }
        #expect(error?.reason.contains("ca=FILE") == true)
    }

    @Test(arguments: [
        "syslog+relp://h:1?ca=/x", "syslog+relp://h:1?name=siem", "syslog+relp://h:1?window=1", "syslog+relp://h:1?window=5000",
        "syslog+relp://h:1?window=", "syslog+tcp://h:1?window=8", "syslog+relp+tls://siem:1?ca=/ca.pem&name=", "syslog+relp://h",
    ])
    func invalidRELPSpecsAreRejectedWithAReason(text: String) {
        #expect(throws: SinkSpecError.self) { try SinkSpec(parsing: text) }
    }
}
