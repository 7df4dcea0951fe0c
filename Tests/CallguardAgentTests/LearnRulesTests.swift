import AuditKit
import CallguardAgent
import Testing

/// The per-process rules learning keeps in the kernel, and `--duration`.
@Suite struct LearnRulesTests {
    @Test func eachProcessGetsPidAndPpidRulesForEveryArchWithTheCallguardKey() {
        let plan = ProcessRulePlan(arches: [.b64, .b32])
        #expect(
            plan.rules(for: 42).map(\.description) == [
                "-a always,exit -F arch=b64 -S all -F pid=42 -F key=callguard",
                "-a always,exit -F arch=b64 -S all -F ppid=42 -F key=callguard",
                "-a always,exit -F arch=b32 -S all -F pid=42 -F key=callguard",
                "-a always,exit -F arch=b32 -S all -F ppid=42 -F key=callguard",
            ])
        #expect(plan.rules(for: 42).allSatisfy { $0.coversAllSyscalls && $0.isBoundedToProcesses })
    }

    @Test func updateAddsNewProcessesAndRemovesExitedOnes() {
        var plan = ProcessRulePlan(arches: [.b64])
        let first = plan.update(to: [10, 11])
        #expect(first.add.count == 4)
        #expect(first.remove.isEmpty)
        let second = plan.update(to: [11, 12])
        #expect(second.remove == plan.rules(for: 10))
        #expect(second.add == plan.rules(for: 12))
        #expect(plan.tracked == [11, 12])
    }

    @Test func theRuleCapLimitsTrackedProcessesAndCountsTheRest() {
        var plan = ProcessRulePlan(arches: [.b64, .b32], maximumRules: 8)
        let change = plan.update(to: [1, 2, 3, 4])
        #expect(change.add.count == 8)
        #expect(plan.tracked == [1, 2])
        #expect(plan.processesOverCap == 2)
        _ = plan.update(to: [2, 3])
        #expect(plan.tracked == [2, 3])
    }

    /// Refused before anything is sent to the kernel (opening the netlink
    /// socket needs no privilege).
    @Test func aRuleForAllSyscallsWithoutAProcessBoundIsRefused() throws {
        let unbounded = AuditRule(syscalls: [.all], fields: [.equal("uid", 0)])
        #expect(!unbounded.isBoundedToProcesses)
        let report = try AuditControl().install([unbounded])
        #expect(report.installed.isEmpty)
        #expect(report.refused.first?.error.message.contains("never audits every syscall") == true)
    }

    @Test(arguments: [("3s", 3000), ("500ms", 500), ("2m", 120_000), ("1h", 3_600_000), ("1.5", 1500)])
    func durationsParse(text: String, milliseconds: Int64) {
        #expect(LearnDuration.parse(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "0", "-1s", "abc", "3d", "ms"])
    func badDurationsAreRefused(text: String) {
        #expect(LearnDuration.parse(text) == nil)
    }

    @Test func imageMatcherUsesPolicyImageMatching() throws {
        let matcher = try ImageMatcher("localhost/app:*")
        #expect(matcher.matches("localhost/app:1.0"))
        #expect(!matcher.matches("localhost/other:1.0"))
        #expect(!matcher.matches(nil))
        #expect(throws: LearnError.self) { try ImageMatcher("*") }
    }
}
