import AuditKit
import Foundation
import Testing
import TestSupport
@testable import PolicyKit

/// The policies in the repository's policies/ directory.
@Suite struct ShippedPoliciesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies").path
    static let podmanProfile = "/usr/share/containers/seccomp.json"
    static var hasPodmanProfile: Bool { FileManager.default.fileExists(atPath: podmanProfile) }

    @Test func shippedPoliciesLoadWithoutDiagnostics() throws {
        let result = try PolicyLoader().load(directory: Self.directory)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let set = try result.get()
        #expect(set.defaultPolicy?.name == "default")
        #expect(set.policy(forImage: "nginx:1.25")?.name == "nginx")
        #expect(set.policy(forImage: "redis:7")?.name == "redis")
        #expect(set.policy(forImage: "localhost/busybox:1")?.name == "busybox")
        #expect(set.policy(forImage: "quay.io/other/thing:2")?.name == "default")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPodmanProfile)))
    func defaultPolicyMatchesPodmansProfileOnX86_64() throws {
        guard RequireIntegration.check(Self.hasPodmanProfile, "podman's seccomp profile at \(Self.podmanProfile) (Debian golang-github-containers-common)") else { return }
        let shipped = try #require(try PolicyLoader().load(directory: Self.directory).get().defaultPolicy)
        let loader = PolicyLoader(profileDirectories: ["/usr/share/containers"])
        let imported = try loader.load(sources: [
            PolicySource(path: "p.yaml", text: """
                apiVersion: callguard.dev/v1
                kind: SyscallPolicy
                metadata: {name: p}
                spec: {images: ["*"], include: ["\(Self.podmanProfile)"]}
                """)
        ]).get().defaultPolicy
        let reference = try #require(imported)
        #expect(shipped.syscalls.numbers(on: .x86_64) == reference.syscalls.numbers(on: .x86_64))
        // One allowlist serves every arch, so i386 may allow what the profile limits to amd64.
        let extra = Set(shipped.syscalls.names(on: .i386)).subtracting(reference.syscalls.names(on: .i386))
        #expect(extra.isSubset(of: ["arch_prctl"]), "\(extra)")
    }

    @Test func imagePoliciesIncludeTheRuntimeInit() throws {
        let set = try PolicyLoader().load(directory: Self.directory).get()
        let fstatfs = try #require(SyscallTable.shared.number("fstatfs", on: .x86_64))
        for name in ["busybox", "nginx", "redis"] {
            #expect(set.policy(named: name)?.allows(arch: .x86_64, syscall: fstatfs) == true, "\(name)")
        }
    }
}
