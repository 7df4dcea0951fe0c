import Foundation
import TestSupport
import Testing

@testable import AuditKit

/// A locked audit configuration (enabled=2), simulated on the control side:
/// the real kernel is never locked by a test (that lasts until reboot).
@Suite(.serialized)
struct LiveAuditLockedTests {
    static func lockedControl() throws -> AuditControl {
        let control = try AuditControl()
        control.simulatesLockedConfiguration = true
        return control
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func lockedWithoutCallguardRulesRefusesCleanlyAndChangesNothing() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let real = try AuditControl()
            let before = try real.status()
            let rule = AuditRule(syscalls: ["mkdir"], fields: [.equal("ppid", getpid())])
            let error = try #require(throws: AuditError.self) {
                _ = try AuditSession.start(.init(socketMode: .unicast, rules: [rule]), control: Self.lockedControl())
            }
            #expect(error.code == .locked)
            #expect(error.message.contains("locked (enabled=2)"))
            let after = try real.status()
            #expect(after.pid == before.pid)
            #expect(after.enabled == before.enabled)
            #expect(after.backlogLimit == before.backlogLimit)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func lockedWithCallguardRulesLoadedRunsWithThemAndLeavesThem() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let real = try AuditControl()
            // Loaded before the lock, as from audit.rules at boot.
            let rule = AuditRule(syscalls: ["mkdir", "mkdirat"], fields: [.equal("ppid", getpid())])
            try real.apply(AuditSettingsChange(enabled: .enabled))
            #expect(real.install([rule], excludingPid: nil).refused.isEmpty)
            let before = try real.status()

            let session = try AuditSession.start(
                .init(socketMode: .unicast, rules: [rule]), control: Self.lockedControl())
            defer { session.stop() }
            #expect(session.isLocked)
            #expect(session.notes.contains { $0.contains("locked") && $0.contains("1 rule") })
            #expect(session.ruleReport.installed.isEmpty)
            #expect(try real.status().backlogLimit == before.backlogLimit)

            let child = try LiveAudit.runMkdirChild("locked")
            var collector = RecordCollector(waker: session.reader.waker) { $0.event(ofPid: child) != nil }
            try session.reader.run(&collector, until: .now + .seconds(10))
            #expect(collector.records.event(ofPid: child) != nil)

            #expect(session.stop().isEmpty)
            #expect(try real.status().pid == 0)
            #expect(try real.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) }, "a locked kernel keeps its rules")
        }
    }
}
