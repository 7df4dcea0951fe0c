import Foundation
import AuditKit
import Testing
@testable import PolicyKit

@Suite struct RuleCompilerTests {
    func set(_ policies: [(String, String, String)]) throws -> PolicySet {
        try PolicyLoader().load(sources: policies.map { name, images, allow in
            PolicySource(path: "\(name).yaml", text: """
                apiVersion: callguard.dev/v1
                kind: SyscallPolicy
                metadata: {name: \(name)}
                spec: {images: \(images), allow: \(allow)}
                """)
        }).get()
    }

    @Test func syscallsEveryPolicyAllowsNeedNoRule() throws {
        let s = try set([("default", "[\"*\"]", "[read, write, close]"), ("app", "[app]", "[read, write, ptrace]")])
        let rules = RuleCompiler(arches: [.x86_64]).compile(s, excludingPid: 42)
        let rule = try #require(rules.rules.first)
        #expect(rules.rules.count == 1)
        #expect(!rule.syscalls.contains(0))  // read: allowed by both
        #expect(!rule.syscalls.contains(1))  // write
        #expect(rule.syscalls.contains(3))  // close: app does not allow it
        #expect(rule.syscalls.contains(101))  // ptrace: default does not allow it
        let total = SyscallTable.shared.allNumbers(on: .x86_64).count
        #expect(rules.summaries == [.init(arch: .x86_64, audited: total - 2, skipped: 2)])
    }

    @Test func eachArchGetsItsOwnRuleWithItsOwnNumbers() throws {
        let s = try set([("default", "[\"*\"]", "[read]")])
        let rules = RuleCompiler(arches: [.x86_64, .i386]).compile(s, excludingPid: nil)
        #expect(rules.rules.map(\.arch) == [.x86_64, .i386])
        #expect(!rules.rules[0].syscalls.contains(0) && rules.rules[0].syscalls.contains(3))
        #expect(!rules.rules[1].syscalls.contains(3) && rules.rules[1].syscalls.contains(0))
        #expect(rules.rules.map(\.archField) == ["b64", "b32"])
    }

    @Test func noActivePolicyMeansNoRules() throws {
        let s = try set([("base", "[]", "[read]")])
        #expect(RuleCompiler().compile(s, excludingPid: 1).rules.isEmpty)
    }

    @Test func ruleRendersInAuditctlSyntax() {
        let rule = AuditSyscallRule(arch: .x86_64, syscalls: [2, 101], excludedPid: 4242)
        #expect(rule.auditctl == "-a always,exit -F arch=b64 -S open,ptrace -F pid!=4242 -k callguard")
    }

    @Test func auditctlTextStartsWithCountsAsComments() throws {
        let s = try set([("default", "[\"*\"]", "[read]")])
        let text = RuleCompiler(arches: [.x86_64]).compile(s, excludingPid: 7).auditctl
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("# x86_64: ") == true)
        #expect(lines.first?.hasSuffix("1 skipped (allowed by every active policy)") == true)
        #expect(lines.last?.hasSuffix("-F pid!=7 -k callguard") == true)
    }

    @Test func oneRuleHoldsEveryAuditedSyscallOfAnArch() throws {
        let s = try set([("default", "[\"*\"]", "[read]"), ("other", "[other]", "[write]")])
        let rules = RuleCompiler(arches: [.x86_64]).compile(s, excludingPid: 1)
        #expect(rules.rules.count == 1)
        #expect(rules.rules[0].syscalls.count == SyscallTable.shared.allNumbers(on: .x86_64).count)
        #expect(rules.rules[0].syscalls.allSatisfy { $0 < RuleCompiler.maskBits })
    }
}

@Suite struct AuditSyscallRuleTests {
    func listed(_ rule: AuditSyscallRule) -> [Substring] {
        let text = rule.auditctl
        let afterS = text.range(of: " -S ")!.upperBound
        let end = text.range(of: " -F pid")?.lowerBound ?? text.range(of: " -k ")!.lowerBound
        return text[afterS..<end].split(separator: ",")
    }

    @Test(arguments: [AuditArch.x86_64, .i386])
    func renderedNamesResolveBackToTheRuleNumbers(arch: AuditArch) {
        let all = SyscallTable.shared.allNumbers(on: arch).filter { $0 % 3 == 0 }
        let rule = AuditSyscallRule(arch: arch, syscalls: all, excludedPid: 1)
        let back = listed(rule).map { arch.syscallNumber(String($0)) ?? Int32($0) }
        #expect(back == all)
    }

    @Test(arguments: [AuditArch.x86_64, .i386])
    func ruleWithEverySyscallFitsAnAuditctlRulesFileLine(arch: AuditArch) {
        let all = SyscallTable.shared.allNumbers(on: arch)
        let rule = AuditSyscallRule(arch: arch, syscalls: all, excludedPid: 2_147_483_647)
        #expect(rule.auditctl.utf8.count <= AuditSyscallRule.maxAuditctlLine)
        let back = listed(rule).map { arch.syscallNumber(String($0)) ?? Int32($0) }
        #expect(back == all)
    }
}
