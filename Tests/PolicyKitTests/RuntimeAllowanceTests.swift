import AuditKit
import Foundation
import Testing
@testable import PolicyKit

/// runc init's calls between its seccomp filter and `execve` are allowed to
/// every container by every compiled policy, not only to policies that remember
/// to include `runc-init`.
struct RuntimeAllowanceTests {
    static func load(_ yaml: String) throws -> PolicySet {
        try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: yaml)]).get()
    }

    @Test func policyWithoutIncludeAllowsRuncInitsCalls() throws {
        let set = try Self.load("""
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: app}
            spec: {images: ["localhost/app:1"], allow: [accept4]}
            """)
        let policy = try #require(set.policy(forImage: "localhost/app:1"))
        for name in ["capset", "execve", "setgroups", "prctl"] {
            let number = try #require(AuditArch.x86_64.syscallNumber(name))
            #expect(policy.allows(arch: .x86_64, syscall: number), "\(name)")
        }
        #expect(!policy.allows(arch: .x86_64, syscall: try #require(AuditArch.x86_64.syscallNumber("mount"))))
        #expect(!policy.allows(arch: .x86_64, syscall: try #require(AuditArch.x86_64.syscallNumber("ptrace"))))
    }

    @Test func defaultPolicyAllowsRuncInitsCalls() throws {
        let set = try Self.load("""
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: strict}
            spec: {images: ["*"], allow: [read]}
            """)
        let policy = try #require(set.defaultPolicy)
        #expect(policy.allows(arch: .x86_64, syscall: try #require(AuditArch.x86_64.syscallNumber("capget"))))
    }

    @Test func shippedRuncInitPolicyListsExactlyTheBuiltInAllowance() throws {
        let path = ShippedPoliciesTests.directory + "/runc-init.yaml"
        let set = try PolicyLoader().load(paths: [path]).get()
        let shipped = try #require(set.policiesByName["runc-init"])
        #expect(shipped.syscalls == CompiledPolicy.runtimeAllowanceSet)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let list = try #require(text.range(of: "allow:").map { text[$0.upperBound...] }).prefix { $0 != "]" }
        let names = list.split(whereSeparator: { " \n[,".contains($0) }).map(String.init)
        #expect(Set(names) == Set(CompiledPolicy.runtimeAllowance))
        #expect(names.count == CompiledPolicy.runtimeAllowance.count)
    }
}
