import AuditKit
import Foundation
import Testing
import TestSupport

/// `callguard run --rules`: which audit exit rules the agent keeps, on the
/// real kernel with real podman containers.
@Suite(.serialized) struct RuleModeTests {
    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/auditctl")
    }

    static func callguardRules() throws -> [KernelRule] {
        try AuditControl().kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
    }

    static func auditctlListsCallguard() throws -> Bool {
        try RulesListingTests.output("/usr/sbin/auditctl", ["-l"]).contains("key=\(AuditRule.callguardKey)")
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        repeat {
            if try condition() { return true }
            usleep(100_000)
        } while Date() < deadline
        return try condition()
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func rulesNoneLoadsNoCallguardRuleAndReportsAnUnguardedContainer() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-none")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = AgentEndToEndTests.imageA
            let name = "callguard-rules-none-\(getpid())"
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "none", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            let id = try PodmanHarness.runDetached(name: name, image: image, command: ["sh", "-c", "sleep 3; mkdir /tmp/made; sleep 1"])
            let reported = Self.eventually(5) { agent.stdout.contains("\"container-unguarded\"") && agent.stdout.contains(id) }
            #expect(reported, "\(agent.stdout) \(agent.stderr)")
            #expect(try !Self.auditctlListsCallguard(), "auditctl -l lists a callguard rule under --rules none")
            _ = try? PodmanHarness.podman(["wait", name])
            #expect(try !Self.auditctlListsCallguard())
            #expect(try Self.callguardRules().isEmpty)
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func rulesContainersGivesEveryContainerPerProcessRulesWithoutReportingIt() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-containers")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = AgentEndToEndTests.imageA
            let name = "callguard-rules-containers-\(getpid())"
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "containers", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            let id = try PodmanHarness.runDetached(name: name, image: image, command: ["sh", "-c", "sleep 3; mkdir /tmp/made; sleep 2"])
            #expect(try Self.eventually(3) { try !Self.callguardRules().isEmpty }, "no per-process rule for the container")
            let found = Self.eventually(15) {
                (try? AgentEndToEndTests.violations(in: agent.stdout.split(separator: "\n").map(String.init)))?
                    .contains { $0.containerID == id && $0.syscall.hasPrefix("mkdir") } ?? false
            }
            #expect(found, "no mkdir violation: \(agent.stdout) \(agent.stderr)")
            #expect(!agent.stdout.contains("\"container-unguarded\""))
            _ = try? PodmanHarness.podman(["wait", name])
            #expect(try Self.eventually(5) { try Self.callguardRules().isEmpty }, "per-process rules outlived the container")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func rulesAutoReportsAnUnguardedContainerOnceAndFindsItsForbiddenSyscallThroughPerProcessRules() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-auto")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = AgentEndToEndTests.imageA  // its policy does not allow mkdir
            let name = "callguard-rules-auto-\(getpid())"
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "auto", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            // No container is running yet here, so no exit rule is loaded.
            #expect(try Self.eventually(3) { try Self.callguardRules().isEmpty })
            // Sleeps past the agent's next scan (1 s), then makes the forbidden call.
            let id = try PodmanHarness.runDetached(
                name: name, image: image, command: ["sh", "-c", "sleep 3; mkdir /tmp/made; sleep 2"])
            #expect(try Self.eventually(3) { try !Self.callguardRules().isEmpty }, "no per-process rule for the unguarded container")
            let rules = try RulesListingTests.output("/usr/sbin/auditctl", ["-l"]).split(separator: "\n")
                .filter { $0.hasSuffix("key=\(AuditRule.callguardKey)") }
            #expect(rules.allSatisfy { $0.contains(" -F pid=") || $0.contains(" -F ppid=") }, "only bounded rules: \(rules)")

            let found = Self.eventually(15) {
                (try? AgentEndToEndTests.violations(in: agent.stdout.split(separator: "\n").map(String.init)))?
                    .contains { $0.containerID == id && $0.syscall.hasPrefix("mkdir") } ?? false
            }
            #expect(found, "no mkdir violation of the unguarded container: \(agent.stdout) \(agent.stderr)")
            let unguarded = agent.stdout.split(separator: "\n").filter { $0.contains("\"container-unguarded\"") && $0.contains(id) }
            #expect(unguarded.count == 1, "\(agent.stdout)")

            _ = try? PodmanHarness.podman(["wait", name])
            #expect(try Self.eventually(5) { try Self.callguardRules().isEmpty }, "per-process rules outlived the container")
            #expect(agent.terminate() != nil)
            #expect(agent.stderr.contains("\"unguarded_containers\":"), "\(agent.stderr)")
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    /// Milliseconds from the audited syscall (`@timestamp`, the record's
    /// time) to when the agent found it (`event.created`), of the first
    /// violation in `stdout` whose syscall name starts with `syscall`.
    static func delayMilliseconds(in stdout: String, syscall: String) -> Double? {
        let parse = ISO8601DateFormatter()
        parse.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for line in stdout.split(separator: "\n") {
            guard let object = FormatParsers.json(Array(line.utf8)),
                (FormatParsers.value(object, at: "callguard.syscall.name") as? String)?.hasPrefix(syscall) == true,
                let at = (object["@timestamp"] as? String).flatMap(parse.date(from:)),
                let created = (FormatParsers.value(object, at: "event.created") as? String).flatMap(parse.date(from:))
            else { continue }
            return created.timeIntervalSince(at) * 1000
        }
        return nil
    }

    /// A guarded container (a seccomp LOG profile for mkdir, as the hook would
    /// give it) under `--rules none`: its forbidden call arrives as a lone
    /// SECCOMP record and is handed on at once, not after the assembler's
    /// 500 ms timeout. (The mkdir process exits at once and a SECCOMP record
    /// names no parent, so the agent may report it as container-unknown.)
    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func guardedContainerViolationArrivesWithoutExitRulesAndWithoutWaitingForTheTimeout() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-none-guarded")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = AgentEndToEndTests.imageA  // its policy does not allow mkdir
            defer { PodmanHarness.cleanUp(containers: [], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let profile = work.appendingPathComponent("log-mkdir.json").path
            try """
            {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
             "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_LOG"}]}
            """.write(toFile: profile, atomically: true, encoding: .utf8)

            let agent = try AgentProcess(["--policies", policies, "--rules", "none", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            usleep(2_500_000)  // past the scans that tell the assembler no syscall rule is loaded
            _ = try PodmanHarness.podman([
                "--runtime", "runc", "run", "--rm", "--cgroup-manager=cgroupfs", "--ulimit", "nofile=1024:1024",
                "--ulimit", "nproc=1024:1024", "--security-opt", "seccomp=\(profile)", image, "sh", "-c", "mkdir /tmp/made; sleep 1",
            ])
            let found = Self.eventually(10) { Self.delayMilliseconds(in: agent.stdout, syscall: "mkdir") != nil }
            #expect(found, "no mkdir violation of the guarded container: \(agent.stdout) \(agent.stderr)")
            let delay = try #require(Self.delayMilliseconds(in: agent.stdout, syscall: "mkdir"))
            #expect(delay < 400, "the SECCOMP event waited \(delay) ms: the assembler held it for its timeout")
            #expect(try Self.callguardRules().isEmpty)
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
