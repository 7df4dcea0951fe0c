import AuditKit
import Foundation
import Testing
import TestSupport

/// `callguard run` on the real kernel reports serial gaps while it runs: the
/// kernel's rate limit drops whole events after their serials were given out,
/// which is exactly a gap in the stream. Both the SIGUSR1 line and the metrics
/// endpoint must show it before the agent stops (they once showed 0 until exit).
@Suite(.serialized) struct AgentSerialGapTests {
    static var prerequisites: Bool {
        LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    /// The number after `"key":` in a JSON line (0 when absent).
    static func number(_ key: String, in line: Substring) -> Int {
        guard let range = line.range(of: "\"\(key)\":") else { return -1 }
        return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func rateLimitedEventsShowAsSerialGapsOnSIGUSR1AndInTheMetricsWhileRunning() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, /usr/bin/python3") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("serial-gap")
            defer { try? FileManager.default.removeItem(at: work) }
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let metricsPort = LoopbackPort.free(1)[0]
            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "system", "--sink", "stdout", "--metrics", "127.0.0.1:\(metricsPort)"], directory: work.path)
            defer { agent.kill() }

            // Every getcwd of this test's children is audited (key callguard: the
            // agent removes the rule when it stops, the restore does in any case).
            let control = try AuditControl()
            let rule = AuditRule(syscalls: ["getcwd"], fields: [.equal("ppid", getpid())])
            #expect(control.install([rule], excludingPid: nil).refused.isEmpty)
            // 20 records a second: a burst of 20,000 events loses nearly all of them.
            try control.apply(AuditSettingsChange(rateLimit: 20))
            try LiveAudit.runChild("/usr/bin/python3", ["-c", "import os\nfor _ in range(20000): os.getcwd()"])
            // A second later (a new rate-limit second), one more event arrives,
            // some 20,000 serials on: the gap is certain now, not at exit.
            usleep(1_100_000)
            try LiveAudit.runChild("/usr/bin/python3", ["-c", "import os\nos.getcwd()"])
            try control.apply(AuditSettingsChange(rateLimit: 0))

            var metricsGap = 0
            var usr1Gap = 0
            let deadline = Date(timeIntervalSinceNow: 10)
            while Date() < deadline, metricsGap == 0 || usr1Gap == 0 {
                let metrics = AgentEndToEndTests.httpGet(port: metricsPort)
                if let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix("callguard_lost_total{source=\"serial_gap\"}") }) {
                    metricsGap = Int(line.split(separator: " ").last ?? "") ?? 0
                }
                agent.send(SIGUSR1)
                usleep(300_000)
                if let line = agent.stderr.split(separator: "\n").last(where: { $0.hasPrefix("{\"records\"") }) {
                    usr1Gap = Self.number("serial_gaps", in: line)
                }
            }
            #expect(!agent.hasExited)
            #expect(metricsGap >= 10_000, "metrics serial_gap \(metricsGap)")
            #expect(usr1Gap >= 10_000, "SIGUSR1 serial_gaps \(usr1Gap); \(agent.stderr.suffix(600))")
            #expect(agent.terminate() != nil)
        }
    }
}
