import AuditKit
import Foundation
import Testing
import TestSupport

/// `callguard run` on the real kernel, with real podman containers of two
/// imported busybox images, sending to a real rsyslogd over TCP.
@Suite(.serialized) struct AgentEndToEndTests {
    static let imageA = "localhost/callguard-e2e-a:1"
    static let imageB = "localhost/callguard-e2e-b:1"

    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && RsyslogReceiver.prerequisitesPresent && LiveAudit.available
    }

    /// Writes policies: image A may not mkdir, image B may not chmod; both may
    /// run busybox's usual applets (the shipped busybox and runc-init policies).
    static func writePolicies(to directory: String) throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies")
        for name in ["busybox.yaml", "runc-init.yaml"] {
            try FileManager.default.copyItem(atPath: shipped.appendingPathComponent(name).path, toPath: "\(directory)/\(name)")
        }
        let policies = [
            ("a.yaml", "image-a", imageA, "[chmod, fchmodat]"),  // A may chmod but not mkdir
            ("b.yaml", "image-b", imageB, "[mkdir, mkdirat]"),  // B may mkdir but not chmod
        ]
        for (file, name, image, allow) in policies {
            try """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: \(name)}
            spec:
              images: ["\(image)"]
              include: [busybox]
              allow: \(allow)
              severity: high
            """.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8)
        }
    }

    /// Runs a container of `image` that does `script` and exits.
    static func runContainer(_ image: String, _ script: String) throws {
        _ = try PodmanHarness.podman([
            "--runtime", "runc", "run", "--rm", "--cgroup-manager=cgroupfs",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", image, "sh", "-c", script,
        ])
    }

    /// The kernel holds no callguard rule and no audit pid of a dead process.
    static func expectKernelRestored(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let control = try AuditControl()
        let rules = try control.kernelRules().filter { $0.keys.contains(AuditRule.callguardKey) }
        #expect(rules.isEmpty, "callguard rules left in the kernel", sourceLocation: sourceLocation)
        #expect(try control.status().pid == 0, "audit pid left registered", sourceLocation: sourceLocation)
    }

    /// The body of `GET /metrics` on a loopback port ("" when nothing answers).
    static func httpGet(port: UInt16) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    struct Received {
        var image: String
        var containerID: String
        var syscall: String
        var process: String
        var count: Int
    }

    /// The JSON violations inside the syslog messages rsyslogd wrote.
    static func violations(in messages: [String]) throws -> [Received] {
        try messages.compactMap { line in
            guard let brace = line.firstIndex(of: "{") else { return nil }
            let object = try JSONSerialization.jsonObject(with: Data(line[brace...].utf8)) as? [String: Any] ?? [:]
            let container = object["container"] as? [String: Any] ?? [:]
            let image = (container["image"] as? [String: Any])?["name"] as? String ?? ""
            let syscall = FormatParsers.value(object, at: "callguard.syscall.name") as? String ?? ""
            let process = (object["process"] as? [String: Any])?["name"] as? String ?? ""
            return Received(
                image: image, containerID: container["id"] as? String ?? "", syscall: syscall, process: process,
                count: FormatParsers.value(object, at: "callguard.count") as? Int ?? 0)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func forbiddenSyscallsOfTwoImagesArriveAtRsyslogOnceEachAndNothingElse() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [], images: [Self.imageA, Self.imageB]) }
            try PodmanHarness.importBusyboxImage(named: Self.imageA, workDir: work.path)
            try PodmanHarness.importBusyboxImage(named: Self.imageB, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try Self.writePolicies(to: policies)
            let receiver = try RsyslogReceiver()
            defer { receiver.close() }
            try receiver.start()

            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "system", "--sink", "syslog+tcp://127.0.0.1:\(receiver.tcpPort)", "--format", "json"],
                directory: work.path)
            defer { agent.kill() }
            // A mkdirs (forbidden) and chmods (allowed); B mkdirs (allowed) and chmods (forbidden).
            try Self.runContainer(Self.imageA, "mkdir /tmp/a; chmod 700 /tmp/a; true")
            try Self.runContainer(Self.imageB, "mkdir /tmp/b; chmod 700 /tmp/b; true")
            // And the host does both, which no policy covers.
            let hostDir = work.appendingPathComponent("host").path
            try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: false)
            chmod(hostDir, 0o700)

            let messages = receiver.waitForMessages(2, timeout: 20)
            let status = agent.terminate()
            #expect(status == 0, "exit: \(agent.stderr)")
            try Self.expectKernelRestored()

            let raw = receiver.waitForMessages(messages.count)
            #expect(raw.allSatisfy { $0.contains(#""exists_on_host_kernel":true"#) }, "mkdir and chmod exist on this kernel")
            let received = try Self.violations(in: raw)
            #expect(received.count == 2, "\(received); agent: \(agent.stderr.split(separator: "\n").suffix(3).joined(separator: "\n"))")
            let a = received.filter { $0.image == Self.imageA }
            let b = received.filter { $0.image == Self.imageB }
            #expect(a.count == 1 && ["mkdir", "mkdirat"].contains(a.first?.syscall ?? ""))
            #expect(a.first?.process == "mkdir")
            #expect(b.count == 1 && ["chmod", "fchmodat"].contains(b.first?.syscall ?? ""))
            #expect(b.first?.process == "chmod")
            #expect(received.allSatisfy { $0.containerID.count == 64 && $0.count == 1 })
            #expect(Set(received.map(\.containerID)).count == 2)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func sigkillLeavesRulesThatTheNextStartReplacesAndStopRemoves() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-kill")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try Self.writePolicies(to: policies)

            let crashed = try AgentProcess(["--policies", policies, "--rules", "system"], directory: work.path, tag: "crashed")
            crashed.kill()
            let leftovers = try AuditControl().kernelRules().filter { $0.keys.contains(AuditRule.callguardKey) }
            #expect(!leftovers.isEmpty, "a killed agent cannot clean up: its rules stay")

            let next = try AgentProcess(["--policies", policies, "--rules", "system"], directory: work.path, tag: "next")
            defer { next.kill() }
            #expect(next.stderr.contains("left by an earlier run"), "\(next.stderr)")
            #expect(next.terminate() != nil)
            try Self.expectKernelRestored()
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func sighupWithABrokenPolicyKeepsTheOldPoliciesInForce() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-hup")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [], images: [Self.imageA]) }
            try PodmanHarness.importBusyboxImage(named: Self.imageA, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try Self.writePolicies(to: policies)

            let metricsPort = LoopbackPort.free(1)[0]
            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "system", "--sink", "stdout", "--metrics", "127.0.0.1:\(metricsPort)"], directory: work.path)
            defer { agent.kill() }
            // A broken edit of image A's policy: the reload must fail and keep the old set.
            try "spec: [unclosed".write(toFile: "\(policies)/a.yaml", atomically: true, encoding: .utf8)
            agent.send(SIGHUP)
            let deadline = Date(timeIntervalSinceNow: 10)
            while !agent.stderr.contains("policy reload failed"), Date() < deadline { usleep(100_000) }
            #expect(agent.stderr.contains("policy reload failed"), "\(agent.stderr)")
            #expect(agent.stderr.contains("a.yaml:"), "the error names the file, line and column")

            try Self.runContainer(Self.imageA, "mkdir /tmp/a; true")
            let seen = Date(timeIntervalSinceNow: 10)
            while !agent.stdout.contains("\"mkdir"), Date() < seen { usleep(100_000) }
            let metrics = Self.httpGet(port: metricsPort)
            #expect(metrics.contains("callguard_violations_total{policy=\"image-a\"}"), "\(metrics)")
            #expect(metrics.contains("callguard_policy_reloads_total 0"), "the failed reload is not counted as a reload")
            #expect(metrics.contains("callguard_policy_reload_failures_total 1"), "the failed reload is counted as a failure")
            #expect(agent.terminate() != nil)
            #expect(agent.stdout.contains(Self.imageA) && agent.stdout.contains("\"mkdir"), "the old policy still reports: \(agent.stdout)")
            try Self.expectKernelRestored()
        }
    }
}
