import AuditKit
import Foundation
import Glibc
import Testing
import TestSupport

/// `AuditControl.replaceRules` on the real kernel: rules are compared by
/// content, the new ones go in before the old ones come out, and a refused
/// rule leaves the old set as it was.
@Suite(.serialized) struct LiveAuditRuleReplacementTests {
    /// Rules bounded to this test's children, so nothing else on the machine is audited.
    static func rule(_ syscalls: [AuditRule.Syscall]) -> AuditRule {
        AuditRule(arch: .b64, syscalls: syscalls, fields: [.equal("ppid", getpid())])
    }
    static let mkdir = rule(["mkdir", "mkdirat"])
    static let chmod = rule(["chmod", "fchmodat"])
    static let rmdir = rule(["rmdir"])
    /// A rule libaudit builds but the kernel refuses: a directory watch on a path that does not exist.
    static let refusedByKernel = AuditRule(
        arch: .b64, syscalls: ["openat"],
        fields: [.equal("ppid", getpid()), AuditRuleField("dir", .equal, "/nonexistent-callguard-\(getpid())")])

    static func callguardRules(_ control: AuditControl) throws -> [KernelRule] {
        try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func ruleAsTheKernelListsItHasTheIdentityItWasBuiltWith() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let report = control.install([Self.mkdir])
            try #require(report.refused.isEmpty, "\(report.refused)")
            let listed = try Self.callguardRules(control)
            try #require(listed.count == 1)
            #expect(listed[0].identity == (try control.identity(of: Self.mkdir).get()))
            #expect(listed[0].identity != (try control.identity(of: Self.chmod).get()))
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func replacementKeepsSharedRulesAddsNewOnesAndRemovesOnlyTheDropped() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            try #require(control.install([Self.mkdir, Self.chmod]).refused.isEmpty)

            let result = try control.replaceRules(with: [Self.chmod, Self.rmdir])

            #expect(result.applied)
            #expect(result.kept == [Self.chmod])
            #expect(result.added == [Self.rmdir])
            #expect(result.removed == 1)
            #expect(result.removalErrors.isEmpty, "\(result.removalErrors)")
            let now = Set(try Self.callguardRules(control).compactMap(\.identity))
            let expected = Set([try control.identity(of: Self.chmod).get(), try control.identity(of: Self.rmdir).get()])
            #expect(now == expected)
        }
    }

    /// Another thread lists the rules as fast as it can while the set flips
    /// back and forth: it never sees fewer rules than the two sets share plus one.
    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func duringReplacementTheKernelNeverHoldsFewerRulesThanEitherSet() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let first = [Self.mkdir, Self.chmod]
            let second = [Self.rmdir, Self.rule(["unlink", "unlinkat"])]
            try #require(control.install(first).refused.isEmpty)
            let sampler = RuleCountSampler()
            sampler.start()
            for round in 0..<20 {
                let result = try control.replaceRules(with: round % 2 == 0 ? second : first)
                #expect(result.applied && result.removed == 2 && result.added.count == 2)
            }
            let samples = sampler.stop()
            #expect(samples.count > 20, "the sampler listed the rules \(samples.count) times")
            #expect(samples.min() ?? 0 >= 2, "fewest callguard rules seen during the replacements: \(samples.min() ?? -1)")
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func aRefusedRuleLeavesTheOldSetInForceAndAddsNothing() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            try #require(control.install([Self.mkdir]).refused.isEmpty)
            let before = Set(try Self.callguardRules(control).compactMap(\.identity))

            let result = try control.replaceRules(with: [Self.chmod, Self.refusedByKernel])

            #expect(!result.applied)
            #expect(result.refused.map(\.rule) == [Self.refusedByKernel])
            #expect(result.removed == 0)
            #expect(Set(try Self.callguardRules(control).compactMap(\.identity)) == before, "the old rule alone, the added chmod taken out")
        }
    }
}

/// Lists the kernel's callguard rules in a loop on its own thread and records each count.
final class RuleCountSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int] = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    func start() {
        let thread = Thread { [self] in
            let control = try? AuditControl()
            while lock.withLock({ running }) {
                if let rules = try? control?.kernelRules() {
                    let n = rules.filter { $0.hasKey(AuditRule.callguardKey) }.count
                    lock.withLock { counts.append(n) }
                }
            }
            done.signal()
        }
        thread.start()
    }

    func stop() -> [Int] {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { counts }
    }
}
