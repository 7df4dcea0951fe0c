import AuditKit
import CAudit
import Foundation
import Glibc
import Testing
import TestSupport

/// `callguard run` cannot be turned against its host: once started it holds
/// only the audit capabilities, in every thread, and still does its work;
/// SIGHUP swaps the audit rules without a moment with none.
@Suite(.serialized) struct AgentPrivilegeTests {
    /// CAP_AUDIT_CONTROL (30) and CAP_AUDIT_READ (37).
    static let auditCapabilities: UInt64 = (1 << 30) | (1 << 37)

    /// The capability lines and no_new_privs of every thread of `pid`.
    static func threadPrivileges(_ pid: pid_t) throws -> [(tid: String, fields: [String: String])] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        return try tasks.map { tid in
            let text = try String(contentsOfFile: "/proc/\(pid)/task/\(tid)/status", encoding: .utf8)
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let key = String(parts[0])
                if key.hasPrefix("Cap") || key == "NoNewPrivs" { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return (tid, fields)
        }
    }

    static func waitFor(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    static func occurrences(of text: String, in haystack: String) -> Int {
        haystack.components(separatedBy: text).count - 1
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(AgentEndToEndTests.prerequisites)))
    func agentKeepsOnlyTheAuditCapabilitiesInEveryThreadAndStillReportsReloadsAndRestores() async throws {
        guard RequireIntegration.check(AgentEndToEndTests.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-caps")
            defer { try? FileManager.default.removeItem(at: work) }
            defer { PodmanHarness.cleanUp(containers: [], images: [AgentEndToEndTests.imageA]) }
            try PodmanHarness.importBusyboxImage(named: AgentEndToEndTests.imageA, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "system", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }

            let threads = try Self.threadPrivileges(agent.pid)
            #expect(threads.count > 1, "the agent runs several threads")
            let expected = String(format: "%016lx", Self.auditCapabilities)
            for (tid, fields) in threads {
                for key in ["CapEff", "CapPrm", "CapBnd"] {
                    #expect(fields[key] == expected, "thread \(tid) \(key)=\(fields[key] ?? "?")")
                }
                let inheritable = UInt64(fields["CapInh"] ?? "", radix: 16) ?? .max
                #expect(inheritable & ~Self.auditCapabilities == 0, "thread \(tid) CapInh=\(fields["CapInh"] ?? "?")")
                #expect(fields["CapAmb"] == "0000000000000000", "thread \(tid) CapAmb")
                #expect(fields["NoNewPrivs"] == "1", "thread \(tid) NoNewPrivs")
            }
            #expect(agent.stderr.contains("capabilities kept: CAP_AUDIT_CONTROL, CAP_AUDIT_READ"), "\(agent.stderr)")

            // It still attributes and reports: image A may not mkdir.
            try AgentEndToEndTests.runContainer(AgentEndToEndTests.imageA, "mkdir /tmp/a; true")
            #expect(Self.waitFor(10) { agent.stdout.contains("\"mkdir") && agent.stdout.contains(AgentEndToEndTests.imageA) }, "\(agent.stdout)")

            // SIGHUP still reloads (rules need CAP_AUDIT_CONTROL).
            agent.send(SIGHUP)
            #expect(Self.waitFor(10) { agent.stderr.contains("policies reloaded") }, "\(agent.stderr)")
            #expect(!agent.stderr.contains("policy reload failed"), "\(agent.stderr)")

            // And the exit still restores the kernel.
            let status = agent.terminate()
            #expect(status == 0, "exit: \(agent.stderr)")
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    /// Every other reload adds a policy that allows almost nothing (so more
    /// syscalls are audited), so each reload's rules differ from the last; a
    /// sampler lists the kernel's rules all along.
    @Test(.enabled(if: RequireIntegration.shouldRun(AgentEndToEndTests.prerequisites)))
    func sighupNeverLeavesTheKernelWithoutCallguardRules() async throws {
        guard RequireIntegration.check(AgentEndToEndTests.prerequisites, "root, kernel audit, podman + runc, busybox-static, rsyslogd") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-hup-gap")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let tiny = "\(policies)/tiny.yaml"

            let agent = try AgentProcess(["--policies", policies, "--rules", "system", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            try #require(try AuditControl().kernelRules().contains { $0.hasKey(AuditRule.callguardKey) }, "the agent installs rules")

            let sampler = RuleCountSampler()
            sampler.start()
            for round in 1...10 {
                if round % 2 == 1 {
                    try "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: tiny}\nspec:\n  images: [\"localhost/tiny:1\"]\n  allow: [read, write, exit_group]\n"
                        .write(toFile: tiny, atomically: true, encoding: .utf8)
                } else {
                    try FileManager.default.removeItem(atPath: tiny)
                }
                agent.send(SIGHUP)
                #expect(Self.waitFor(10) { Self.occurrences(of: "policies reloaded", in: agent.stderr) == round }, "reload \(round): \(agent.stderr)")
            }
            let samples = sampler.stop()
            #expect(agent.stderr.contains("audit rules: 2 added, 0 kept, 2 removed"), "each reload changed the rules: \(agent.stderr)")
            #expect(samples.count > 10, "the sampler listed the rules \(samples.count) times")
            #expect(samples.min() ?? 0 >= 1, "fewest callguard rules seen during 10 reloads: \(samples.min() ?? -1)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    /// Started with a capability it does not keep and without CAP_SETPCAP to
    /// drop it from the bounding set, the agent refuses to run on (exit 2,
    /// saying what to do) and leaves the kernel as it found it.
    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"))))
    func agentThatCannotDropACapabilityRefusesToRunAndRestoresTheKernel() async throws {
        guard RequireIntegration.check(LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "root, kernel audit, setpriv") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-nodrop")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let r = try ChildProcess.run("/usr/bin/timeout", [
                "30", "/usr/bin/setpriv", "--bounding-set", "-all,+audit_control,+audit_read,+sys_ptrace", "--",
                AgentProcess.executable, "run", "--policies", policies, "--sink", "stdout", "--state-dir", work.path + "/state",
            ])

            #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("cannot drop the capabilities callguard does not need"), "\(r.stderr)")
            #expect(!r.stderr.contains("reading the audit stream"), "it must not start reading")
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    /// The netlink port ids of `pid`'s NETLINK_AUDIT sockets (/proc/net/netlink, matched by inode).
    static func auditPorts(of pid: pid_t) throws -> [UInt32] {
        var inodes = Set<String>()
        for fd in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                target.hasPrefix("socket:[")
            {
                inodes.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        return try String(contentsOfFile: "/proc/net/netlink", encoding: .utf8).split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 10, columns[1] == "9", inodes.contains(String(columns[9])) else { return nil }
            return UInt32(columns[2]) ?? Int32(columns[2]).map { UInt32(bitPattern: $0) }
        }
    }

    /// A process that sends a SYSCALL record to the agent's audit sockets gets
    /// no violation out of it: the datagrams are dropped, and the agent says so.
    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func recordsForgedToTheAgentsAuditPortAreDroppedAndLogged() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("e2e-forge")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let agent = try AgentProcess(["--policies", policies, "--rules", "system", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }

            let ports = try Self.auditPorts(of: agent.pid)
            #expect(ports.count >= 2, "the control and the reader socket: \(ports)")
            let sender = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_AUDIT)
            try #require(sender >= 0)
            defer { close(sender) }
            for port in ports {
                for (type, text) in [(UInt16(1300), "audit(1700000000.123:77): arch=c000003e syscall=101 success=yes exit=0 ppid=1 pid=1 uid=0 comm=\"forged\" exe=\"/forged\""), (UInt16(1320), "audit(1700000000.123:77): ")] {
                    let payload = Array(text.utf8)
                    let length = 16 + payload.count
                    var bytes = [UInt8](repeating: 0, count: length)
                    bytes.withUnsafeMutableBytes { raw in
                        raw.storeBytes(of: UInt32(length), toByteOffset: 0, as: UInt32.self)
                        raw.storeBytes(of: type, toByteOffset: 4, as: UInt16.self)
                    }
                    bytes.replaceSubrange(16..., with: payload)
                    var destination = sockaddr_nl()
                    destination.nl_family = sa_family_t(AF_NETLINK)
                    destination.nl_pid = port
                    let sent = bytes.withUnsafeBytes { raw in
                        withUnsafePointer(to: &destination) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                sendto(sender, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                            }
                        }
                    }
                    #expect(sent == bytes.count, "sendto port \(port): errno \(errno)")
                }
            }
            #expect(Self.waitFor(10) { agent.stderr.contains("not sent by the kernel") }, "\(agent.stderr)")
            #expect(agent.terminate() != nil)
            #expect(!agent.stdout.contains("forged"), "a forged record became output: \(agent.stdout)")
            #expect(agent.stderr.contains("\"records\":") && !agent.stderr.contains("forged"))
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
