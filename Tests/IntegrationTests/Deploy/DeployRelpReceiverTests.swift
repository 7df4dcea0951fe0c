import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `deploy/rsyslog/relp-receiver.conf`: it passes rsyslogd's validation, and
/// `callguard replay --sink syslog+relp+tls://…` delivers through it (mutual
/// TLS, name checks on both sides) with the RFC 5424 header intact.
@Suite(.serialized) struct DeployRelpReceiverTests {
    static let prerequisites = DeployRsyslogTests.prerequisites && Rsyslogd.hasModule("imrelp")
    static let what = "rsyslogd, rsyslog-relp, rsyslog-gnutls and openssl"

    /// The example with its certificate paths, port and output moved into `dir`.
    static func config(in dir: URL) throws -> (path: String, port: Int, output: URL) {
        let port = Int(LoopbackPort.free(1)[0])
        let output = dir.appendingPathComponent("out")
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let text = try Repository.deployText("rsyslog/relp-receiver.conf")
            .replacingOccurrences(of: "/etc/siem/tls/", with: "\(dir.path)/")
            .replacingOccurrences(of: "port=\"2514\"", with: "address=\"127.0.0.1\" port=\"\(port)\"")
            .replacingOccurrences(of: "/var/log/siem/", with: "\(output.path)/")
            .replacingOccurrences(of: "/var/spool/rsyslog", with: work.path)
        let path = dir.appendingPathComponent("relp-receiver.conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, port, output)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func relpReceiverConfigPassesRsyslogValidation() throws {
        guard RequireIntegration.check(Self.prerequisites, Self.what) else { return }
        let dir = try Repository.temporaryDirectory("callguard-deploy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try DeployRsyslogTests.makeCertificates(in: dir)
        let c = try Self.config(in: dir)
        let r = try Rsyslogd.validate(c.path)
        #expect(r.status == 0, "rsyslogd -N1: \(r.stderr)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func replayDeliversThroughTheRelpReceiverOverMutualTLS() throws {
        guard RequireIntegration.check(Self.prerequisites, Self.what) else { return }
        let dir = try Repository.temporaryDirectory("callguard-deploy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try DeployRsyslogTests.makeCertificates(in: dir)
        let c = try Self.config(in: dir)
        let receiver = DeployRsyslogTests.rsyslogd(c.path, in: dir, named: "relp")
        defer { receiver.stop(grace: 5) }
        try receiver.start { LoopbackPort.accepts(UInt16(c.port)) }

        let d = dir.path
        let sink = "syslog+relp+tls://127.0.0.1:\(c.port)?ca=\(d)/ca.pem&name=siem.example.net&cert=\(d)/client.pem&key=\(d)/client.key"
        let replay = try ChildProcess.run(Repository.callguard, [
            "replay", "--policies", Repository.policies,
            "--assume-image", "localhost/busybox:1", "--sink", sink, DeployRsyslogTests.replayLog,
        ])
        #expect(replay.status == 1, "callguard replay: \(replay.stderr)")

        let payload = DeployRsyslogTests.waitForLine(in: c.output.appendingPathComponent("callguard-relp-payload.log").path)
        let raw = DeployRsyslogTests.waitForLine(in: c.output.appendingPathComponent("callguard-relp-raw.log").path)
        let lines = payload.split(separator: "\n")
        try #require(lines.count == 1, "one violation arrives, once: \(payload.debugDescription)\nraw: \(raw.debugDescription)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(FormatParsers.value(object, at: "callguard.syscall.name") as? String == "ptrace")
        #expect(raw.contains(">1 ") && raw.contains(" callguard ") && raw.contains(" violation - {"))
    }
}
