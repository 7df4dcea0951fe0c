import AuditKit
import Foundation
import Testing
@testable import PolicyKit

@Suite struct SeccompExportTests {
    func policy(_ allow: String) throws -> CompiledPolicy {
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: p}
            spec: {images: ["*"], allow: \(allow)}
            """)]).get()
        return try #require(set.defaultPolicy)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func profileDeniesByDefaultWithEPERM() throws {
        let out = try json(SeccompProfileExporter(arches: [.x86_64, .i386]).export(policy("[read]")))
        #expect(out["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        #expect(out["defaultErrnoRet"] as? Int == 1)
        #expect(out["architectures"] as? [String] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])
    }

    @Test func namesAllowedOnOnlySomeArchesAreLimitedToThem() throws {
        let out = try json(SeccompProfileExporter(arches: [.x86_64, .i386]).export(policy("[read, _llseek]")))
        let entries = try #require(out["syscalls"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries[0]["names"] as? [String] == ["read"])
        #expect(entries[1]["names"] as? [String] == ["_llseek"])
        #expect((entries[1]["includes"] as? [String: [String]])?["arches"] == ["x86"])
    }

    @Test func exportUsesKernelNames() throws {
        let text = SeccompProfileExporter(arches: [.x86_64]).export(try policy("[pread64]"))
        #expect(text.contains("\"pread64\""))
        #expect(!text.contains("\"pread\""))
    }

    @Test func exportedProfileReimportsToTheSameSet() throws {
        let original = try policy("[read, write, openat, _llseek, arch_prctl, pread64, exit_group]")
        let text = SeccompProfileExporter(arches: [.x86_64, .i386]).export(original)
        let set = try PolicyLoader().load(sources: [PolicySource(path: "p.yaml", text: text)]).get()
        let back = try #require(set.policy(named: "p"))
        for arch in [AuditArch.x86_64, .i386] {
            #expect(back.syscalls.numbers(on: arch) == original.syscalls.numbers(on: arch))
        }
    }
}
