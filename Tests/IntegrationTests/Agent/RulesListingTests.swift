import AuditKit
import Foundation
import Testing
import TestSupport

/// `callguard rules` prints exactly what the agent loads: the same lines as
/// `auditctl -l` lists for the running agent, on the real kernel.
@Suite(.serialized) struct RulesListingTests {
    static var prerequisites: Bool {
        LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/auditctl")
    }

    /// Runs `path arguments` and returns its standard output.
    static func output(_ path: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func rulesCommandPrintsWhatAuditctlListsForTheRunningAgent() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, auditctl (auditd)") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("rules-listing")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)

            let agent = try AgentProcess(["--policies", policies, "--rules", "system", "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            let printed = try Self.output(AgentProcess.executable, ["rules", "--policies", policies, "--agent-pid", String(agent.pid)])
                .split(separator: "\n").filter { !$0.hasPrefix("#") }
            let listed = try Self.output("/usr/sbin/auditctl", ["-l"])
                .split(separator: "\n").filter { $0.hasSuffix(" -F key=\(AuditRule.callguardKey)") }
            #expect(printed.count == 2, "one rule per arch (b64, b32): \(printed)")
            #expect(printed == listed)
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
