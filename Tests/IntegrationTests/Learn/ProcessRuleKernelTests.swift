import AuditKit
import Foundation
import Testing
import TestSupport

/// The rules learning loads, on the real kernel: `-S all` bounded by pid and
/// ppid loads, shows up with key callguard, and is removed one by one.
@Suite(.serialized) struct ProcessRuleKernelTests {
    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func perProcessAllSyscallRulesLoadAndAreRemovedOneByOne() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let me = UInt32(getpid())
            let pid = Int32(getpid())
            let byPid = AuditRule(arch: .b64, syscalls: [.all], fields: [.equal("pid", pid)])
            let byParent = AuditRule(arch: .b64, syscalls: [.all], fields: [.equal("ppid", pid)])
            let report = control.install([byPid, byParent], excludingPid: me)
            #expect(report.refused.isEmpty, "\(report.refused)")
            func ours() throws -> [KernelRule] { try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) } }
            #expect(try ours().count == 2)
            #expect(try ours().allSatisfy { $0.syscallNumbers.count > 300 })
            try control.remove(byPid, excludingPid: me)
            #expect(try ours().count == 1)
            #expect(throws: AuditError.self) { try control.remove(byPid, excludingPid: me) }
            try control.remove(byParent, excludingPid: me)
            #expect(try ours().isEmpty)
        }
    }
}
