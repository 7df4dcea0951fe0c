import Foundation
import SinkKit
import TestSupport
import Testing

/// The TLS sink talks only to a receiver whose certificate the configured CA
/// signed for the expected name and that is valid now, against a real
/// `openssl s_server` (issue 12, item 5).
@Suite(.serialized) struct TLSCertificateCheckTests {
    static let prerequisite = "openssl (the CLI, for s_server and certificates)"

    /// Opens a TLS transport to `server` and sends one message; the error if any.
    static func connect(_ server: OpenSSLServer, name: String? = "localhost", ca: String? = nil) -> TransportError? {
        let options = TLSOptions(caFile: ca ?? server.caFile, serverName: name ?? "127.0.0.1")
        let transport = TLSTransport(host: "127.0.0.1", port: server.port, options: options)
        defer { transport.close() }
        do throws(TransportError) {
            try transport.open()
            let sent: Result<UInt64?, TransportError> = Array("<34>1 - node-1 callguard - - - hello".utf8).withUnsafeBytes { b in
                Result { () throws(TransportError) in try transport.send(b) }
            }
            _ = try sent.get()
            return nil
        } catch {
            return error
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func aCertificateForTheExpectedNameFromTheConfiguredCAIsAccepted() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.good)
        #expect(Self.connect(server) == nil)
        #expect(Self.connect(server, name: nil) == nil, "the IP address SAN, when no name is given")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func aCertificateForAnotherNameSignedByTheConfiguredCAIsRefused() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.otherName)
        let error = try #require(Self.connect(server), "a certificate for siem.example.net was accepted for localhost")
        #expect(error.tlsStep == .certificateVerification)
        #expect(error.description.contains("mismatch"), "\(error)")
    }

    /// `?name=` used to reach `SSL_set1_host("")`, which clears the name check:
    /// the certificate for another name was accepted. Refused at parse time, and
    /// by the transport if an empty name reaches it another way.
    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func anEmptyExpectedNameNeverSwitchesTheNameCheckOff() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.otherName)
        for suffix in ["&name=", "&name"] {
            #expect(throws: SinkSpecError.self) {
                try SinkSpec(parsing: "syslog+tls://127.0.0.1:\(server.port)?ca=\(server.caFile)\(suffix)")
            }
        }
        let error = try #require(Self.connect(server, name: ""), "an empty expected name accepted a certificate for another name")
        #expect(error.kind == .configuration)
        #expect(error.tlsStep == .expectedName, "\(error)")
    }

    /// OpenSSL reads an expected name with a leading dot as "any subdomain":
    /// `.example.net` accepted the certificate for siem.example.net, and a NUL
    /// ends the C string early ("\0siem" is "", which clears the check). The
    /// transport refuses both before connecting, not only the sink spec.
    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func aNameOpenSSLWouldNotCheckAsWrittenIsRefusedByTheTransport() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.otherName)
        for name in [".example.net", ".net", "\u{0}siem.example.net", "*.example.net"] {
            let error = try #require(Self.connect(server, name: name), "\(name.debugDescription) accepted a certificate for siem.example.net")
            #expect(error.kind == .configuration)
            #expect(error.tlsStep == .expectedName, "\(error)")
        }
        #expect(Self.connect(server, name: "siem.example.net") == nil, "the certificate's own name is still accepted")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func aCertificateSignedByAnotherCAIsRefused() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.otherCA)
        let error = try #require(Self.connect(server), "a certificate from another CA was accepted")
        #expect(error.tlsStep == .certificateVerification)
        #expect(error.description.contains("unable to get local issuer certificate"), "\(error)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func anExpiredCertificateIsRefused() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.expired)
        let error = try #require(Self.connect(server), "an expired certificate was accepted")
        #expect(error.tlsStep == .certificateVerification)
        #expect(error.description.contains("expired"), "\(error)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func aSelfSignedCertificateIsRefused() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.selfSigned)
        let error = try #require(Self.connect(server), "a self-signed certificate was accepted")
        #expect(error.tlsStep == .certificateVerification)
        #expect(error.description.contains("self-signed") || error.description.contains("self signed"), "\(error)")
    }

    /// A CA file that is not PEM fails at the step that loads it, before any connection.
    @Test(.enabled(if: RequireIntegration.shouldRun(OpenSSLServer.prerequisitesPresent)))
    func anUnreadableCAFileFailsNamingTheStep() throws {
        guard RequireIntegration.check(OpenSSLServer.prerequisitesPresent, Self.prerequisite) else { return }
        let server = try OpenSSLServer()
        defer { server.close() }
        try server.start(.good)
        try "not a certificate\n".write(toFile: server.directory + "/bogus.pem", atomically: true, encoding: .utf8)
        let error = try #require(Self.connect(server, ca: server.directory + "/bogus.pem"))
        #expect(error.kind == .configuration)
        #expect(error.tlsStep == .caFile, "\(error)")
        #expect(error.description.contains("TLS step load CA file"))
    }
}
