import Foundation
import TestSupport

/// A real rsyslogd from Debian, run by a test with its own configuration on
/// random free loopback ports: UDP, TCP, TLS (server certificate from a CA the
/// test makes with openssl), mutual TLS, and a unix datagram socket. Everything
/// it receives is written with `%rawmsg%` to `received.log`.
///
/// With `relp: true` it also listens with `imrelp` (rsyslog-relp), plain and
/// over TLS, writing what arrives by RELP to `relp-received.log` through a
/// Direct queue: a message is in the file before rsyslogd acknowledges it, so a
/// `kill -9` loses nothing it acknowledged.
///
/// `stop()` (or `kill()`) and `start()` can be repeated (same ports and output
/// files); `close()` kills it and removes the directory. Call `close()` in a `defer`.
final class RsyslogReceiver {
    static var relpPrerequisitesPresent: Bool {
        prerequisitesPresent && Rsyslogd.hasModule("imrelp")
    }

    static var prerequisitesPresent: Bool {
        Rsyslogd.isInstalled && RequireIntegration.hasExecutable("/usr/bin/openssl") && Rsyslogd.hasModule("lmnsd_gtls")
    }

    let directory: String
    let udpPort: UInt16
    let tcpPort: UInt16
    let tlsPort: UInt16
    let mutualTLSPort: UInt16
    /// imrelp ports (0 unless made with `relp: true`).
    let relpPort: UInt16
    let relpTLSPort: UInt16
    let relp: Bool
    var relpReceivedFile: String { directory + "/relp-received.log" }
    /// A CA that signed nothing the receiver presents (for refusal tests).
    var otherCAFile: String { directory + "/other-ca.pem" }
    var unixSocket: String { directory + "/log.sock" }
    var caFile: String { directory + "/ca.pem" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }
    var receivedFile: String { directory + "/received.log" }
    private let daemon: Rsyslogd

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(relp: Bool = false) throws {
        self.relp = relp
        directory = NSTemporaryDirectory() + "callguard-rsyslog-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/work", withIntermediateDirectories: true)
        daemon = Rsyslogd(
            configuration: directory + "/rsyslog.conf", pidFile: directory + "/rsyslogd.pid", log: directory + "/rsyslogd.out")
        let ports = LoopbackPort.free(6)
        (udpPort, tcpPort, tlsPort, mutualTLSPort) = (ports[0], ports[1], ports[2], ports[3])
        (relpPort, relpTLSPort) = relp ? (ports[4], ports[5]) : (0, 0)
        try makeCertificates()
        try writeConfig()
    }

    deinit { close() }

    /// Starts rsyslogd and waits until every input accepts.
    func start() throws {
        do {
            try daemon.start {
                guard
                    LoopbackPort.accepts(tcpPort) && LoopbackPort.accepts(tlsPort) && LoopbackPort.accepts(mutualTLSPort)
                        && FileManager.default.fileExists(atPath: unixSocket)
                        && (!relp || (LoopbackPort.accepts(relpPort) && LoopbackPort.accepts(relpTLSPort)))
                else { return false }
                usleep(100_000)  // imudp binds in the same start-up pass
                return true
            }
        } catch {
            close()
            throw error
        }
    }

    /// Stops rsyslogd (SIGTERM, then SIGKILL after 10 s) and reaps it.
    func stop() {
        daemon.stop(grace: 10)
        try? FileManager.default.removeItem(atPath: unixSocket)
    }

    /// `kill -9`: rsyslogd gets no chance to finish anything; reaped at once.
    func kill9() {
        daemon.kill9()
        try? FileManager.default.removeItem(atPath: unixSocket)
    }

    /// Kills rsyslogd and removes the directory.
    func close() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What rsyslogd said on stderr (for failure messages).
    var diagnostics: String { daemon.output }

    /// The messages received so far, one per line.
    func received(_ file: String? = nil) -> [String] {
        guard let data = FileManager.default.contents(atPath: file ?? receivedFile) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Waits until at least `count` messages arrived (or `timeout` seconds passed).
    func waitForMessages(_ count: Int, timeout: Double = 15, file: String? = nil) -> [String] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var got = received(file)
        while got.count < count && Date() < deadline {
            usleep(50_000)
            got = received(file)
        }
        usleep(200_000)  // anything beyond `count` (duplicates) shows up too
        return received(file)
    }

    private func writeConfig() throws {
        let d = directory
        let conf = """
            global(workDirectory="\(d)/work" maxMessageSize="64k"
              defaultNetstreamDriverCAFile="\(d)/ca.pem"
              defaultNetstreamDriverCertFile="\(d)/server.pem"
              defaultNetstreamDriverKeyFile="\(d)/server.key")
            module(load="imudp")
            module(load="imtcp" maxSessions="100")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imudp" address="127.0.0.1" port="\(udpPort)")
            input(type="imtcp" address="127.0.0.1" port="\(tcpPort)")
            input(type="imtcp" address="127.0.0.1" port="\(tlsPort)"
              streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
            input(type="imtcp" address="127.0.0.1" port="\(mutualTLSPort)"
              streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")
            input(type="imuxsock" Socket="\(d)/log.sock" CreatePath="on")
            template(name="raw" type="string" string="%rawmsg%\\n")
            *.* action(type="omfile" file="\(d)/received.log" template="raw")

            """ + (relp ? relpConfig : "")
        try conf.write(toFile: d + "/rsyslog.conf", atomically: true, encoding: .utf8)
    }

    /// imrelp inputs (plain, and mutual TLS: the server certificate, a client
    /// certificate from the same CA required) into a Direct-queue ruleset: the
    /// file is written before the acknowledgement goes out.
    private var relpConfig: String {
        let d = directory
        return """
            module(load="imrelp")
            ruleset(name="relp" queue.type="Direct") {
              action(type="omfile" file="\(d)/relp-received.log" template="raw")
            }
            input(type="imrelp" address="127.0.0.1" port="\(relpPort)" ruleset="relp")
            input(type="imrelp" address="127.0.0.1" port="\(relpTLSPort)" ruleset="relp" tls="on" tls.authMode="certvalid"
              tls.caCert="\(d)/ca.pem" tls.myCert="\(d)/server.pem" tls.myPrivKey="\(d)/server.key")

            """
    }

    private func makeCertificates() throws {
        let d = directory
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.run("openssl", ["req", "-x509"] + ec + ["-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-days", "2", "-subj", "/CN=callguard test CA"])
        try Self.run("openssl", ["req", "-x509"] + ec + ["-keyout", "\(d)/other-ca.key", "-out", "\(d)/other-ca.pem", "-days", "2", "-subj", "/CN=another CA"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: "\(d)/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: "\(d)/client.ext", atomically: true, encoding: .utf8)
        for (name, cn) in [("server", "localhost"), ("client", "callguard-agent")] {
            try Self.run("openssl", ["req"] + ec + ["-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(cn)"])
            try Self.run("openssl", [
                "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key", "-CAcreateserial",
                "-out", "\(d)/\(name).pem", "-days", "2", "-extfile", "\(d)/\(name).ext",
            ])
        }
    }

    static func run(_ tool: String, _ args: [String]) throws {
        let r = try ChildProcess.run("/usr/bin/\(tool)", args)
        guard r.status == 0 else { throw Failure(description: "\(tool) \(args.joined(separator: " ")) failed: \(r.stderr)") }
    }
}
