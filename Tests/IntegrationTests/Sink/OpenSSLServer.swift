import Foundation
import TestSupport

/// `openssl s_server` on a free loopback port with a certificate chosen by the
/// test, and the certificates to choose from, made with the openssl CLI in a
/// temporary directory: one CA ("the configured CA"), another CA, and server
/// certificates that are good, for another name, expired, self-signed, or
/// signed by the other CA. `close()` stops the server and removes
/// the directory.
final class OpenSSLServer {
    static var prerequisitesPresent: Bool { RequireIntegration.hasExecutable("/usr/bin/openssl") }

    /// The server certificates this fixture makes (each with its key `<name>.key`).
    enum Certificate: String, CaseIterable {
        /// DNS:localhost and IP:127.0.0.1, signed by the configured CA.
        case good
        /// DNS:siem.example.net only, signed by the configured CA.
        case otherName
        /// DNS:localhost, signed by the configured CA, validity ended before it began (`-days -1`).
        case expired
        /// DNS:localhost, signed by its own key.
        case selfSigned
        /// DNS:localhost, signed by another CA.
        case otherCA
    }

    let directory: String
    var caFile: String { directory + "/ca.pem" }
    private(set) var port: UInt16 = 0
    private var server: RunningChild?

    init() throws {
        directory = NSTemporaryDirectory() + "callguard-s_server-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try makeCertificates()
    }

    deinit { close() }

    /// Starts s_server presenting `certificate`; waits until it accepts connections.
    func start(_ certificate: Certificate) throws {
        stop()
        port = LoopbackPort.free(1)[0]
        let name = certificate.rawValue
        // -www: answers an HTTP GET and never reads stdin, so it serves until stopped.
        let server = try RunningChild(
            "/usr/bin/openssl",
            ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", "\(directory)/\(name).pem", "-key", "\(directory)/\(name).key", "-www", "-quiet"],
            stderr: .appending(directory + "/s_server.out"))
        self.server = server
        let deadline = Date(timeIntervalSinceNow: 10)
        while Date() < deadline {
            if LoopbackPort.accepts(port) { return }
            if !server.isRunning { break }
            usleep(20_000)
        }
        let out = (try? String(contentsOfFile: directory + "/s_server.out", encoding: .utf8)) ?? ""
        stop()
        throw RsyslogReceiver.Failure(description: "openssl s_server did not come up: \(out)")
    }

    /// Stops the server (SIGTERM, SIGKILL after 5 s) and reaps it.
    func stop() {
        server?.terminate(grace: 5)
        server = nil
    }

    /// Stops the server and removes the directory.
    func close() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeCertificates() throws {
        let d = directory
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func run(_ args: [String]) throws { try RsyslogReceiver.run("openssl", args) }
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509"] + ec + ["-keyout", "\(d)/\(ca).key", "-out", "\(d)/\(ca).pem", "-days", "2", "-subj", "/CN=callguard \(ca)"])
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: "\(d)/localhost.ext", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:siem.example.net\n".write(toFile: "\(d)/other.ext", atomically: true, encoding: .utf8)
        for cert in Certificate.allCases {
            let name = cert.rawValue
            if cert == .selfSigned {
                try run(
                    ["req", "-x509"] + ec + [
                        "-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).pem", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    ])
                continue
            }
            try run(["req"] + ec + ["-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(cert == .otherName ? "siem.example.net" : "localhost")"])
            let ca = cert == .otherCA ? "other-ca" : "ca"
            try run([
                "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/\(ca).pem", "-CAkey", "\(d)/\(ca).key", "-CAcreateserial",
                "-out", "\(d)/\(name).pem", "-days", cert == .expired ? "-1" : "2",
                "-extfile", "\(d)/\(cert == .otherName ? "other" : "localhost").ext",
            ])
        }
    }
}
