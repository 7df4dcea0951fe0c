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
    static let rsyslogd = Deploy.tool("/usr/sbin/rsyslogd")
    static let openssl = Deploy.tool("/usr/bin/openssl")
    static let logger = Deploy.tool("/usr/bin/logger", "/bin/logger")
    static let gtls = ["/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so", "/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so"]
        .contains { FileManager.default.fileExists(atPath: $0) }
    static let prerequisites = rsyslogd != nil && openssl != nil && gtls && Deploy.tool("/usr/bin/python3") != nil

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
            let r = try Deploy.run(openssl!, step)
            try #require(r.status == 0, "openssl \(step.joined(separator: " ")): \(r.stderr)")
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
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
        let siemPort = try freePort()
        let inputPort = try freePort()
        let output = dir.appendingPathComponent("out")
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let receiver = try Deploy.text("rsyslog/siem-receiver.conf")
            .replacingOccurrences(of: "/etc/siem/tls/", with: "\(d)/")
            .replacingOccurrences(of: "port=\"6514\"", with: "port=\"\(siemPort)\"")
            .replacingOccurrences(of: "/var/log/siem/", with: "\(output.path)/")
        // Only the target's address changes: the forwarder still checks the
        // receiver's certificate for the name siem.example.net.
        let forwarder = try Deploy.text("rsyslog/callguard-forward.conf")
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
        guard RequireIntegration.check(Self.prerequisites, "rsyslogd, rsyslog-gnutls, openssl and python3") else { return }
        let r = try Deploy.run(Self.rsyslogd!, ["-N1", "-f", Deploy.path("rsyslog/callguard-forward.conf")])
        #expect(r.status == 0, "rsyslogd -N1: \(r.stderr)")
    }

    /// The receiver names its certificate files in global(), which rsyslogd
    /// opens while validating: they are moved to generated ones.
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func receiverConfigPassesRsyslogValidation() throws {
        guard RequireIntegration.check(Self.prerequisites, "rsyslogd, rsyslog-gnutls, openssl and python3") else { return }
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeCertificates(in: dir)
        let c = try Self.configs(in: dir)
        let r = try Deploy.run(Self.rsyslogd!, ["-N1", "-f", c.receiver])
        #expect(r.status == 0, "rsyslogd -N1: \(r.stderr)")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites && logger != nil)))
    func forwarderDeliversOnlyCallguardMessagesOverTLS() throws {
        guard RequireIntegration.check(Self.prerequisites && Self.logger != nil, "rsyslogd, rsyslog-gnutls, openssl, python3 and logger") else { return }
        let dir = try Deploy.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.makeCertificates(in: dir)
        let c = try Self.configs(in: dir)

        let receiver = try Self.startRsyslogd(c.receiver, pidFile: dir.appendingPathComponent("receiver.pid").path)
        defer { Self.stop(receiver) }
        // The receiver listens before the forwarder sends: rsyslog re-sends its
        // last message after a failed connection, which would duplicate it.
        try Self.waitForListener(port: c.receiverPort)
        let forwarder = try Self.startRsyslogd(c.forwarder, pidFile: dir.appendingPathComponent("forwarder.pid").path)
        defer { Self.stop(forwarder) }
        try Self.waitForListener(port: c.forwarderPort)

        // Something else on the same port: the forwarder must drop it.
        _ = try Deploy.run(Self.logger!, ["--tcp", "-P", "\(c.forwarderPort)", "-n", "127.0.0.1", "--rfc5424", "-t", "other", "not for the SIEM"])
        let log = Fixtures.directory().appendingPathComponent("deploy/ptrace.log").path
        let replay = try Deploy.run(Deploy.executable, [
            "replay", "--policies", Deploy.root.appendingPathComponent("policies").path,
            "--assume-image", "localhost/busybox:1", "--sink", "syslog+tcp://127.0.0.1:\(c.forwarderPort)", log,
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

    /// Starts rsyslogd in the foreground. Foundation's Process hands the child
    /// the spawning thread's signal mask, in which SIGTERM is blocked here; a
    /// python3 shim clears the mask (and SIGPIPE's disposition) before exec.
    static func startRsyslogd(_ config: String, pidFile: String) throws -> Process {
        let shim = """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", shim, rsyslogd!, "-n", "-f", config, "-i", pidFile]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// SIGTERM, then SIGKILL if rsyslogd has not exited within 5 s.
    static func stop(_ p: Process) {
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    static func waitForListener(port: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(50_000)
        }
        Issue.record("rsyslogd did not listen on 127.0.0.1:\(port) within 10 s")
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
