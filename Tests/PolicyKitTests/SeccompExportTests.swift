import AuditKit
import Foundation
import Testing
@testable import PolicyKit
import TestSupport

@Suite struct SeccompExportTests {
    func policy(_ allow: String) throws -> CompiledPolicy {
        let loader = PolicyLoader(profileDirectories: [Fixtures.directory().appendingPathComponent("seccomp").path])
        let set = try loader.load(sources: [PolicySource(path: "p.yaml", text: """
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

    @Test func namesOnlySomeArchesHaveNeedNoArchCondition() throws {
        let out = try json(SeccompProfileExporter(arches: [.x86_64, .i386]).export(policy("[read, _llseek]")))
        let entries = try #require(out["syscalls"] as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries[0]["names"] as? [String] == ["_llseek", "read"])
    }

    @Test func namesAllowedOnSomeOfTheArchesThatHaveThemAreLimited() throws {
        let profile = Fixtures.directory().appendingPathComponent("seccomp/docker-default-shape.json").path
        let loader = PolicyLoader(profileDirectories: [Fixtures.directory().appendingPathComponent("seccomp").path])
        let set = try loader.load(sources: [PolicySource(path: "p.yaml", text: """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: p}
            spec: {images: ["*"], include: ["\(profile)"]}
            """)]).get()
        let out = try json(SeccompProfileExporter(arches: [.x86_64, .i386]).export(try #require(set.defaultPolicy)))
        let entries = try #require(out["syscalls"] as? [[String: Any]])
        let amd64Only = entries.first { ($0["includes"] as? [String: [String]])?["arches"] == ["amd64"] }
        #expect((amd64Only?["names"] as? [String])?.contains("arch_prctl") == true)
        #expect((entries.first?["names"] as? [String])?.contains("arch_prctl") == false)
        #expect((entries.first?["names"] as? [String])?.contains("modify_ldt") == true)
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
