import AuditKit
import Foundation
import Testing
@testable import PolicyKit
import TestSupport

@Suite struct SeccompImportTests {
    func load(_ path: String, options: SeccompImportOptions = .init()) throws -> (SyscallSet, [Diagnostic]) {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let node = try YAMLReader().documents(bytes)[0]
        var d = DiagnosticCollector()
        let set = SeccompProfileDecoder(options: options).decode(node, file: path, diagnostics: &d)
        return (set, d.diagnostics)
    }

    func fixture(_ name: String) -> String { Fixtures.directory().appendingPathComponent(name).path }

    func has(_ set: SyscallSet, _ name: String, _ arch: AuditArch) -> Bool {
        guard let n = SyscallTable.shared.number(name, on: arch) else { return false }
        return set.contains(arch: arch, syscall: n)
    }

    static let podmanProfile = "/usr/share/containers/seccomp.json"
    static var hasPodmanProfile: Bool { FileManager.default.fileExists(atPath: podmanProfile) }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPodmanProfile)))
    func podmanProfileAllowsItsUnconditionalNames() throws {
        guard RequireIntegration.check(Self.hasPodmanProfile, "podman's seccomp profile at \(Self.podmanProfile) (Debian golang-github-containers-common)") else { return }
        let (set, diags) = try load(Self.podmanProfile)
        #expect(diags.isEmpty)
        for name in ["read", "write", "openat", "execve", "clone3", "pread64", "mkdirat"] {
            #expect(has(set, name, .x86_64), "\(name)")
        }
        #expect(set.count(on: .x86_64) > 300)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPodmanProfile)))
    func podmanProfileHonoursArchConditions() throws {
        guard RequireIntegration.check(Self.hasPodmanProfile, "podman's seccomp profile at \(Self.podmanProfile) (Debian golang-github-containers-common)") else { return }
        let (set, _) = try load(Self.podmanProfile)
        #expect(has(set, "arch_prctl", .x86_64))
        #expect(!has(set, "arch_prctl", .i386))  // includes.arches [amd64, x32]
        #expect(has(set, "modify_ldt", .i386))
        #expect(has(set, "_llseek", .i386))
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(hasPodmanProfile)))
    func podmanProfileHonoursCapabilityConditions() throws {
        guard RequireIntegration.check(Self.hasPodmanProfile, "podman's seccomp profile at \(Self.podmanProfile) (Debian golang-github-containers-common)") else { return }
        let (set, _) = try load(Self.podmanProfile)
        #expect(!has(set, "bpf", .x86_64))  // needs CAP_SYS_ADMIN
        #expect(has(set, "chroot", .x86_64))  // CAP_SYS_CHROOT is a podman default
        #expect(has(set, "personality", .x86_64))  // allowed for some arguments
        #expect(has(set, "socket", .x86_64))
        let (admin, _) = try load(Self.podmanProfile, options: .init(capabilities: ["CAP_SYS_ADMIN"]))
        #expect(has(admin, "bpf", .x86_64))
        #expect(!has(admin, "chroot", .x86_64))
    }

    @Test func dockerShapedProfileHonoursArchMapArchesCapsAndArgs() throws {
        let (set, diags) = try load(fixture("seccomp/docker-default-shape.json"))
        #expect(diags.isEmpty)
        #expect(has(set, "read", .x86_64) && has(set, "read", .i386) && has(set, "read", .aarch64))
        #expect(has(set, "getpid", .x86_64))  // old singular "name"
        #expect(has(set, "personality", .x86_64))  // args
        #expect(has(set, "arch_prctl", .x86_64) && !has(set, "arch_prctl", .i386))
        #expect(has(set, "modify_ldt", .i386))
        #expect(has(set, "ptrace", .x86_64))  // minKernel taken as met
        #expect(!has(set, "mount", .x86_64))  // includes.caps CAP_SYS_ADMIN
        #expect(has(set, "clone", .x86_64))  // excludes.caps CAP_SYS_ADMIN, args
        #expect(has(set, "chroot", .x86_64))
        #expect(has(set, "uname", .x86_64) && !has(set, "uname", .i386))  // excludes.arches x86
        #expect(!has(set, "kexec_load", .x86_64))
    }

    @Test func profileOnlyAppliesToItsListedArchitectures() throws {
        let (set, _) = try load(fixture("valid/profiles/small-profile.json"))
        #expect(has(set, "read", .x86_64))
        #expect(has(set, "read", .i386))
        #expect(set.count(on: .aarch64) == 0)
    }

    @Test func denylistProfileAllowsAllButItsUnconditionalDenials() throws {
        let (set, _) = try load(fixture("seccomp/denylist.json"))
        #expect(has(set, "mount", .x86_64))
        #expect(!has(set, "ptrace", .x86_64))
        #expect(!has(set, "kexec_load", .x86_64))
        #expect(has(set, "personality", .x86_64))  // only denied for some arguments
        #expect(set.count(on: .i386) == 0)
    }

    @Test func unknownActionIsAnErrorWithSuggestion() throws {
        let (_, diags) = try load(fixture("seccomp/bad-action.json"))
        #expect(diags.count == 1)
        #expect(diags.first?.message.contains("did you mean 'SCMP_ACT_ALLOW'") == true)
        #expect(diags.first?.mark.line == 4)
    }
}
