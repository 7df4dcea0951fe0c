import AuditKit
import Foundation
import TestSupport
import Testing

/// Reading and changing the kernel's audit settings.
@Suite(.serialized)
struct LiveAuditStatusTests {
    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func backlogSettingsAreSetAndRestored() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let before = try control.status()
            let change = AuditSettingsChange(backlogLimit: 4321, backlogWaitTime: before.backlogWaitTime == 0 ? 1 : 0)
            try control.apply(change)
            let during = try control.status()
            #expect(during.backlogLimit == 4321)
            #expect(during.backlogWaitTime == change.backlogWaitTime)
            try control.apply(change.undo(from: before))
            let after = try control.status()
            #expect(after.backlogLimit == before.backlogLimit)
            #expect(after.backlogWaitTime == before.backlogWaitTime)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func statusMatchesAuditctl() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        guard RequireIntegration.check(RequireIntegration.hasExecutable("auditctl"), "auditctl (Debian auditd)") else {
            return
        }
        try await LiveAudit.withRestoredState {
            let status = try AuditControl().status()
            let text = try ChildProcess.run("/usr/sbin/auditctl", ["-s"]).stdout
            #expect(text.contains("backlog_limit \(status.backlogLimit)\n"))
            #expect(text.contains("enabled \(status.enabled.rawValue)\n"))
            #expect(text.contains("pid \(status.pid)\n"))
        }
    }
}
