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
        let rules = RuleCompiler(arches: [.x86_64]).compile(s)
        let rule = try #require(rules.rules.first)
        #expect(rules.rules.count == 1)
        #expect(!rule.syscalls.contains(.number(0)))  // read: allowed by both
        #expect(!rule.syscalls.contains(.number(1)))  // write
        #expect(rule.syscalls.contains(.number(3)))  // close: app does not allow it
        #expect(rule.syscalls.contains(.number(101)))  // ptrace: default does not allow it
        let total = SyscallTable.shared.allNumbers(on: .x86_64).count
        #expect(rules.summaries == [.init(arch: .x86_64, audited: total - 2, skipped: 2)])
    }

    @Test func eachArchGetsItsOwnRuleWithItsOwnNumbers() throws {
        let s = try set([("default", "[\"*\"]", "[read]")])
        let rules = RuleCompiler(arches: [.x86_64, .i386]).compile(s)
        #expect(rules.rules.map(\.arch) == [.b64, .b32])
        #expect(!rules.rules[0].syscalls.contains(.number(0)) && rules.rules[0].syscalls.contains(.number(3)))
        #expect(!rules.rules[1].syscalls.contains(.number(3)) && rules.rules[1].syscalls.contains(.number(0)))
        #expect(rules.rules.allSatisfy { $0.key == AuditRule.callguardKey })
    }

    @Test func noActivePolicyMeansNoRules() throws {
        let s = try set([("base", "[]", "[read]")])
        #expect(RuleCompiler().compile(s).rules.isEmpty)
    }

    @Test func ruleRendersAsAuditctlListsIt() {
        let rule = AuditRule(arch: .b64, syscalls: [.number(101), .number(2)])
        #expect(rule.auditctl(excludingPid: 4242) == "-a always,exit -F arch=b64 -S open,ptrace -F pid!=4242 -F key=callguard")
    }

    @Test func auditctlTextStartsWithCountsAsComments() throws {
        let s = try set([("default", "[\"*\"]", "[read]")])
        let text = RuleCompiler(arches: [.x86_64]).compile(s).auditctl(excludingPid: 7)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("# x86_64: ") == true)
        #expect(lines.first?.hasSuffix("1 skipped (allowed by every active policy)") == true)
        #expect(lines.last?.hasSuffix("-F pid!=7 -F key=callguard") == true)
    }

    @Test func perProcessRulesSeeWhatThePolicyDoesNotAllowForThatProcessOnly() throws {
        let s = try set([("app", "[app]", "[read, write]")])
        let policy = try #require(s.policy(forImage: "app"))
        let rules = RuleCompiler(arches: [.x86_64, .i386]).rules(notAllowedBy: policy, fields: [.equal("pid", 42)])
        #expect(rules.map(\.arch) == [.b64, .b32])
        #expect(rules.allSatisfy { $0.isBoundedToProcesses && $0.fields == [.equal("pid", 42)] })
        #expect(!rules[0].syscalls.contains(.number(0)) && rules[0].syscalls.contains(.number(101)))  // read allowed; ptrace not
        let verdictAllowed = SyscallTable.shared.allNumbers(on: .x86_64).filter { policy.allows(arch: .x86_64, syscall: $0) }
        #expect(rules[0].syscalls.count == SyscallTable.shared.allNumbers(on: .x86_64).count - verdictAllowed.count)
    }

    @Test func oneRuleHoldsEveryAuditedSyscallOfAnArch() throws {
        let s = try set([("default", "[\"*\"]", "[read]"), ("other", "[other]", "[write]")])
        let rules = RuleCompiler(arches: [.x86_64]).compile(s)
        #expect(rules.rules.count == 1)
        #expect(rules.rules[0].syscalls.count == SyscallTable.shared.allNumbers(on: .x86_64).count)
        #expect(rules.rules[0].syscalls.allSatisfy { if case .number(let n) = $0 { n < RuleCompiler.maskBits } else { false } })
    }
}

/// The one renderer (AuditKit's ``AuditRule/auditctl(excludingPid:)``) on what the compiler makes.
@Suite struct CompiledRuleRenderingTests {
    func listed(_ rule: AuditRule) -> [Substring] {
        let text = rule.auditctl(excludingPid: 1)
        let afterS = text.range(of: " -S ")!.upperBound
        let end = text.range(of: " -F pid")!.lowerBound
        return text[afterS..<end].split(separator: ",")
    }

    @Test(arguments: [AuditArch.x86_64, .i386])
    func renderedNamesResolveBackToTheRuleNumbers(arch: AuditArch) throws {
        let all = SyscallTable.shared.allNumbers(on: arch).filter { $0 % 3 == 0 }
        let rule = AuditRule(arch: try #require(AuditRule.Arch(arch)), syscalls: all.map { .number($0) })
        let back = listed(rule).map { arch.syscallNumber(String($0)) ?? Int32($0) }
        #expect(back == all.sorted())
    }

    /// `auditctl -R` reads lines of up to 6144 bytes (audit-userspace's LINE_SIZE).
    @Test(arguments: [AuditArch.x86_64, .i386])
    func ruleWithEverySyscallFitsAnAuditctlRulesFileLine(arch: AuditArch) throws {
        let all = SyscallTable.shared.allNumbers(on: arch)
        let rule = AuditRule(arch: try #require(AuditRule.Arch(arch)), syscalls: all.map { .number($0) })
        #expect(rule.auditctl(excludingPid: 2_147_483_647).utf8.count <= 6000)
        let back = listed(rule).map { arch.syscallNumber(String($0)) ?? Int32($0) }
        #expect(back == all.sorted())
    }

    @Test func hostArchesMapToB64ThenB32() {
        #expect(RuleCompiler.hostArches.compactMap(AuditRule.Arch.init) == AuditRule.Arch.onHost)
        #expect(AuditRule.Arch(.x86_64) == .b64)
        #expect(AuditRule.Arch(.i386) == .b32)
        #expect(AuditRule.Arch(.aarch64) == nil)  // not this (x86_64) host's
    }
}
