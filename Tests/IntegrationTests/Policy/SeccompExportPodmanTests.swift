import AuditKit
import Foundation
import PolicyKit
import Testing
import TestSupport

/// Runs real podman containers (runc) under seccomp profiles exported from
/// policies: an allowed syscall succeeds, one the policy lacks fails with EPERM.
@Suite(.serialized)
struct SeccompExportPodmanTests {
    static let podmanProfile = "/usr/share/containers/seccomp.json"
    static let busybox = "/bin/busybox"
    static var prerequisites: Bool {
        RequireIntegration.isRoot && PolicyTestPodman.podman != nil
            && ChildProcess.executable("runc") != nil && FileManager.default.fileExists(atPath: busybox)
            && FileManager.default.fileExists(atPath: podmanProfile)
    }

    /// The repository's policies/ directory.
    static let shippedPolicies = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies").path

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func policyWithoutMkdirMakesMkdirFailWithEPERM() throws {
        guard check() else { return }
        try withImage { image, dir in
            let defaultNames = try podmanDefaultNames()
            let allow = defaultNames.filter { $0 != "mkdir" && $0 != "mkdirat" }
            let profile = try export(policyNamed: "no-mkdir", allow: allow, to: dir)
            let denied = try PolicyTestPodman.run(
                image: image, seccomp: profile,
                script: "echo allowed; busybox touch /tmp/f && echo touched; busybox mkdir /tmp/d && echo made")
            #expect(denied.stdout.contains("allowed"))
            #expect(denied.stdout.contains("touched"))
            #expect(!denied.stdout.contains("made"))
            #expect(denied.stderr.contains("Operation not permitted"), "\(denied.stderr)")
            #expect(denied.status != 0)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func sameProfileWithMkdirLetsMkdirSucceed() throws {
        guard check() else { return }
        try withImage { image, dir in
            let profile = try export(policyNamed: "with-mkdir", allow: try podmanDefaultNames(), to: dir)
            let allowed = try PolicyTestPodman.run(image: image, seccomp: profile, script: "busybox mkdir /tmp/d && echo made")
            #expect(allowed.stdout.contains("made"), "\(allowed.stderr)")
            #expect(allowed.status == 0)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func shippedBusyboxPolicyRunsItsTracedWorkload() throws {
        guard check() else { return }
        try withImage { image, dir in
            let set = try PolicyLoader().load(directory: Self.shippedPolicies).get()
            let policy = try #require(set.policy(named: "busybox"))
            let profile = dir.appendingPathComponent("busybox.json").path
            try Data(SeccompProfileExporter().export(policy).utf8).write(to: URL(fileURLWithPath: profile))
            let run = try PolicyTestPodman.run(
                image: image, seccomp: profile,
                script: "echo hello; ls /; cat /etc/hostname; date; sleep 0.1; wc -c /bin/busybox; id; ps; uname -a")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("hello\n"))
            // mkdir is not in the traced workload, so the same profile refuses it.
            let refused = try PolicyTestPodman.run(image: image, seccomp: profile, script: "mkdir /tmp/d")
            #expect(refused.stderr.contains("Operation not permitted"), "\(refused.stderr)")
        }
    }

    // MARK: helpers

    func check() -> Bool {
        RequireIntegration.check(RequireIntegration.isRoot, "root")
            && RequireIntegration.check(PolicyTestPodman.podman != nil, "podman")
            && RequireIntegration.check(ChildProcess.executable("runc") != nil, "runc")
            && RequireIntegration.check(FileManager.default.fileExists(atPath: Self.busybox), "busybox-static")
            && RequireIntegration.check(
                FileManager.default.fileExists(atPath: Self.podmanProfile), "podman's seccomp.json")
    }

    /// The syscall names podman's default profile allows (x86_64 and i386).
    func podmanDefaultNames() throws -> [String] {
        let profiles = URL(fileURLWithPath: Self.podmanProfile).deletingLastPathComponent().path
        let set = try PolicyLoader(profileDirectories: [profiles]).load(sources: [
            PolicySource(
                path: "default.yaml",
                text: """
                    apiVersion: callguard.dev/v1
                    kind: SyscallPolicy
                    metadata: {name: podman-default}
                    spec: {images: ["*"], include: ["\(Self.podmanProfile)"]}
                    """)
        ]).get()
        let policy = try #require(set.defaultPolicy)
        return Array(Set(policy.syscalls.names(on: .x86_64) + policy.syscalls.names(on: .i386))).sorted()
    }

    /// Loads a policy with `allow` through the YAML loader and exports it as a profile file.
    func export(policyNamed name: String, allow: [String], to dir: URL) throws -> String {
        let yaml = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: \(name)}
            spec:
              images: ["*"]
              allow: [\(allow.joined(separator: ", "))]
            """
        let set = try PolicyLoader().load(sources: [PolicySource(path: "\(name).yaml", text: yaml)]).get()
        let policy = try #require(set.defaultPolicy)
        let path = dir.appendingPathComponent("\(name).json").path
        try Data(SeccompProfileExporter().export(policy).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Imports a busybox-static image with a unique name, runs `body`, removes it.
    func withImage(_ body: (String, URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = "localhost/callguard-policy-test-\(UUID().uuidString.prefix(8).lowercased()):1"
        let imported = try PolicyTestPodman.exec(["podman", "import", try BusyboxRootfs.tarball(named: image, workDir: dir.path), image])
        try #require(imported.status == 0, "podman import: \(imported.stderr)")
        defer { _ = try? PolicyTestPodman.exec(["podman", "rmi", "-f", image]) }
        try body(image, dir)
    }
}

/// Runs podman and other tools, capturing output.
enum PolicyTestPodman {
    typealias Output = ChildProcess.Output

    static let podman = ChildProcess.executable("podman")

    static func run(image: String, seccomp: String, script: String) throws -> Output {
        try exec([
            podman ?? "podman", "--runtime", "runc", "run", "--rm", "--cgroup-manager=cgroupfs",
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            "--security-opt", "seccomp=\(seccomp)", image, "/bin/busybox", "sh", "-c", script,
        ])
    }

    static func exec(_ argv: [String]) throws -> Output {
        try ChildProcess.run(ChildProcess.executable(argv[0]) ?? argv[0], Array(argv.dropFirst()))
    }
}
