import AuditKit
import ContainerKit
import Foundation
import Testing
import TestSupport

/// Attack: a container created with the hook's annotations
/// (`dev.callguard.policy`, `dev.callguard.profile-digest`) written by its
/// creator (`podman run --annotation`, or Kubernetes pod annotations that
/// CRI-O copies into the OCI config) but no callguard filter. The agent must
/// not take it for guarded: it is reported `container-unguarded` and its
/// forbidden calls are still found through per-process rules.
@Suite(.serialized) struct ForgedProfileStampTests {
    static var prerequisites: Bool {
        PodmanHarness.prerequisitesMet && LiveAudit.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/auditctl")
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func annotationsForgedByTheContainersCreatorDoNotMakeItGuarded() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, auditctl") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("forged-stamp")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = AgentEndToEndTests.imageA  // its policy does not allow mkdir
            let name = "callguard-forged-stamp-\(getpid())"
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let policies = work.appendingPathComponent("policies").path
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            try AgentEndToEndTests.writePolicies(to: policies)
            let state = work.appendingPathComponent("state").path

            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "auto", "--state-dir", state, "--sink", "stdout"], directory: work.path)
            defer { agent.kill() }
            #expect(RuleModeTests.eventually(3) { FileManager.default.fileExists(atPath: state + "/index.json") })
            // The digest the agent itself published for image A's policy: the forger can read it.
            let index = try String(contentsOfFile: state + "/index.json", encoding: .utf8)
            let digest = try #require(index.firstMatch(of: /"digest" : "(sha256:[0-9a-f]{64})"/)?.1).description
            let id = try PodmanHarness.podman([
                "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                "--annotation", "\(ProfileStamp.policyAnnotation)=image-a",
                "--annotation", "\(ProfileStamp.digestAnnotation)=\(digest)",
                "--security-opt", "seccomp=unconfined",
                "--name", name, image, "sh", "-c", "sleep 3; mkdir /tmp/made; sleep 2",
            ])
            let annotations = try PodmanHarness.podman(["inspect", "-f", "{{json .Config.Annotations}}", name])
            #expect(annotations.contains(digest), "the forged annotations did not reach the container: \(annotations)")

            let found = RuleModeTests.eventually(15) {
                (try? AgentEndToEndTests.violations(in: agent.stdout.split(separator: "\n").map(String.init)))?
                    .contains { $0.containerID == id && $0.syscall.hasPrefix("mkdir") } ?? false
            }
            #expect(found, "the forged-stamp container's mkdir went unseen: \(agent.stdout) \(agent.stderr)")
            let unguarded = agent.stdout.split(separator: "\n").filter { $0.contains("\"container-unguarded\"") && $0.contains(id) }
            #expect(unguarded.count == 1, "\(agent.stdout)")
            _ = try? PodmanHarness.podman(["wait", name])
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
