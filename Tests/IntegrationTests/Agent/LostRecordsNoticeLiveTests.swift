import Foundation
import Testing
import TestSupport

/// A flood of SECCOMP records that overflows the kernel's backlog reaches the
/// SIEM as an `audit-records-lost` notice, on the real kernel: the records
/// dropped are not only a statistic.
@Suite(.serialized)
struct LostRecordsNoticeLiveTests {
    static let flood = URL(fileURLWithPath: AgentProcess.executable).deletingLastPathComponent()
        .appendingPathComponent("callguard-test-seccomp-flood").path
    static var prerequisites: Bool { LiveAudit.available && FileManager.default.isExecutableFile(atPath: flood) }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aFloodThatOverflowsTheBacklogIsAnnouncedToTheSinks() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, the built seccomp flood helper") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("lost-notice")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            // A small backlog, so that a flood overflows it on any machine.
            let config = work.appendingPathComponent("config.yaml").path
            try "backlog: {limit: 64, waitTime: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "none", "--config", config, "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            let flood = try ChildProcess.run(Self.flood, ["2000000"])
            #expect(flood.status == 0, "the flood helper could not install its filter: \(flood)")
            let announced = RuleModeTests.eventually(10) { agent.stdout.contains("\"audit-records-lost\"") }
            #expect(announced, "no audit-records-lost notice: \(agent.stderr.suffix(2000))")
            #expect(agent.terminate() != nil)
            let notices = agent.stdout.split(separator: "\n").filter { $0.contains("\"audit-records-lost\"") }
            let announcedCount = try notices.reduce(0) { sum, line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                return sum + (FormatParsers.value(object, at: "callguard.count") as? Int ?? 0)
            }
            #expect(announcedCount > 0)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
