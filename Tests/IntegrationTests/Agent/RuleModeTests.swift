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
    func rulesNoneLoadsNoCallguardRuleWhileTheAgentRuns() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-none")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "none", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            usleep(1_500_000)  // past a scan or two
            #expect(try !Self.auditctlListsCallguard(), "auditctl -l lists a callguard rule under --rules none")
            #expect(try Self.callguardRules().isEmpty)
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
}
