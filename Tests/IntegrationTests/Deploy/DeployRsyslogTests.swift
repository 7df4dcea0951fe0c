import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `deploy/rsyslog/`: both configs pass rsyslogd's validation, and the
/// forwarder carries callguard's messages (and nothing else) over TLS with
/// octet-counted RFC 5424 frames to the receiver, end to end from
/// `callguard replay --sink syslog+tcp://…`.
@Suite(.serialized) struct DeployRsyslogTests {
    static let openssl = ChildProcess.executable("openssl")
    static let logger = ChildProcess.executable("logger")
    static let prerequisites = Rsyslogd.isInstalled && openssl != nil && Rsyslogd.hasModule("lmnsd_gtls")
    static let what = "rsyslogd, rsyslog-gnutls and openssl"

    /// The line `callguard replay` turns into one ptrace violation.
    static let replayLog = Repository.root.appendingPathComponent("Tests/CallguardTests/Fixtures/deploy/ptrace.log").path

    /// A CA, a server certificate for siem.example.net and a client certificate
    /// under nodes.example.net (the names the example configs check).
    static func makeCertificates(in dir: URL) throws {
        let d = dir.path
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem", "-days", "2", "-subj", "/CN=callguard test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr", "-subj", "/CN=siem.example.net"],
            ["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key", "-CAcreateserial", "-out", "\(d)/server.pem", "-days", "2", "-extfile", "\(d)/server.ext"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/client.key", "-out", "\(d)/client.csr", "-subj", "/CN=node-1.nodes.example.net"],
            ["x509", "-req", "-in", "\(d)/client.csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key", "-CAcreateserial", "-out", "\(d)/client.pem", "-days", "2", "-extfile", "\(d)/client.ext"],
        ]
        try "subjectAltName=DNS:siem.example.net\n".write(toFile: "\(d)/server.ext", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:node-1.nodes.example.net\n".write(toFile: "\(d)/client.ext", atomically: true, encoding: .utf8)
        for step in steps {
            let r = try ChildProcess.run(openssl!, step)
            try #require(r.status == 0, "openssl \(step.joined(separator: " ")): \(r.stderr)")
        }
    }

    /// The example configs with their paths and ports moved into `dir`.
    struct Configs {
        var forwarder: String
        var receiver: String
        var forwarderPort: Int
        var receiverPort: Int
        var output: URL
    }

    static func configs(in dir: URL) throws -> Configs {
        let d = dir.path
        let ports = LoopbackPort.free(2)
        let (siemPort, inputPort) = (Int(ports[0]), Int(ports[1]))
        let output = dir.appendingPathComponent("out")
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let receiver = try Repository.deployText("rsyslog/siem-receiver.conf")
            .replacingOccurrences(of: "/etc/siem/tls/", with: "\(d)/")
            .replacingOccurrences(of: "port=\"6514\"", with: "port=\"\(siemPort)\"")
            .replacingOccurrences(of: "/var/log/siem/", with: "\(output.path)/")
        // Only the target's address changes: the forwarder still checks the
        // receiver's certificate for the name siem.example.net.
        let forwarder = try Repository.deployText("rsyslog/callguard-forward.conf")
            .replacingOccurrences(of: "/etc/callguard/tls/", with: "\(d)/")
            .replacingOccurrences(of: "target=\"siem.example.net\"", with: "target=\"127.0.0.1\"")
            .replacingOccurrences(of: "port=\"6514\"", with: "port=\"\(siemPort)\"")
            .replacingOccurrences(of: "port=\"10514\"", with: "port=\"\(inputPort)\"")
            .replacingOccurrences(of: "/var/spool/rsyslog", with: work.path)
        try #require(!receiver.contains("/etc/siem") && !forwarder.contains("/etc/callguard/tls") && forwarder.contains("\(siemPort)"))
        let receiverPath = dir.appendingPathComponent("receiver.conf").path
        let forwarderPath = dir.appendingPathComponent("forwarder.conf").path
        try receiver.write(toFile: receiverPath, atomically: true, encoding: .utf8)
        try forwarder.write(toFile: forwarderPath, atomically: true, encoding: .utf8)
        return Configs(forwarder: forwarderPath, receiver: receiverPath, forwarderPort: inputPort, receiverPort: siemPort, output: output)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func forwarderConfigPassesRsyslogValidation() throws {
        guard RequireIntegration.check(Self.prerequisites, Self.what) else { return }
        let r = try Rsyslogd.validate(Repository.deployPath("rsyslog/callguard-forward.conf"))
        #expect(r.status == 0, "rsyslogd -N1: \(r.stderr)")
    }

    /// The receiver names its certificate files in global(), which rsyslogd
    /// opens while validating: they are moved to generated ones.
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func receiverConfigPassesRsyslogValidation() throws {
        guard RequireIntegration.check(Self.prerequisites, Self.what) else { return }
        let dir = try Repository.temporaryDirectory("callguard-deploy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeCertificates(in: dir)
        let c = try Self.configs(in: dir)
        let r = try Rsyslogd.validate(c.receiver)
        #expect(r.status == 0, "rsyslogd -N1: \(r.stderr)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites && logger != nil)))
    func forwarderDeliversOnlyCallguardMessagesOverTLS() throws {
        guard RequireIntegration.check(Self.prerequisites && Self.logger != nil, Self.what + " and logger") else { return }
        let dir = try Repository.temporaryDirectory("callguard-deploy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeCertificates(in: dir)
        let c = try Self.configs(in: dir)

        let receiver = Self.rsyslogd(c.receiver, in: dir, named: "receiver")
        defer { receiver.stop(grace: 5) }
        // The receiver listens before the forwarder sends: rsyslog re-sends its
        // last message after a failed connection, which would duplicate it.
        try receiver.start { LoopbackPort.accepts(UInt16(c.receiverPort)) }
        let forwarder = Self.rsyslogd(c.forwarder, in: dir, named: "forwarder")
        defer { forwarder.stop(grace: 5) }
        try forwarder.start { LoopbackPort.accepts(UInt16(c.forwarderPort)) }

        // Something else on the same port: the forwarder must drop it.
        _ = try ChildProcess.run(Self.logger!, ["--tcp", "-P", "\(c.forwarderPort)", "-n", "127.0.0.1", "--rfc5424", "-t", "other", "not for the SIEM"])
        let replay = try ChildProcess.run(Repository.callguard, [
            "replay", "--policies", Repository.policies,
            "--assume-image", "localhost/busybox:1", "--sink", "syslog+tcp://127.0.0.1:\(c.forwarderPort)", Self.replayLog,
        ])
        #expect(replay.status == 1, "callguard replay: \(replay.stderr)")

        let payloadFile = c.output.appendingPathComponent("callguard-payload.log").path
        let rawFile = c.output.appendingPathComponent("callguard-raw.log").path
        let payload = Self.waitForLine(in: payloadFile)
        let raw = Self.waitForLine(in: rawFile)

        // The payload is callguard's JSON, intact.
        let lines = payload.split(separator: "\n")
        try #require(lines.count == 1, "one violation arrives, once: \(payload.debugDescription)\nraw: \(raw.debugDescription)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(FormatParsers.value(object, at: "callguard.syscall.name") as? String == "ptrace")
        #expect((object["container"] as? [String: Any]).flatMap { $0["image"] as? [String: Any] }?["name"] as? String == "localhost/busybox:1")
        // RFC 5424 header with callguard's APP-NAME and MSGID kept across both hops.
        #expect(raw.hasPrefix("<"))
        #expect(raw.contains(">1 ") && raw.contains(" callguard ") && raw.contains(" violation - {"))
        #expect(!raw.contains("not for the SIEM") && !payload.contains("not for the SIEM"))
    }

    /// rsyslogd with `configuration`, its pid file and standard error in `dir`.
    static func rsyslogd(_ configuration: String, in dir: URL, named name: String) -> Rsyslogd {
        Rsyslogd(
            configuration: configuration, pidFile: dir.appendingPathComponent("\(name).pid").path,
            log: dir.appendingPathComponent("\(name).err").path)
    }

    /// The file's text once it holds a complete line (or after 15 s), then a
    /// little longer so that a duplicate would have arrived too.
    static func waitForLine(in path: String) -> String {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") {
                usleep(500_000)
                return (try? String(contentsOfFile: path, encoding: .utf8)) ?? text
            }
            usleep(100_000)
        }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
