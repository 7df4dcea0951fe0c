import CallguardAgent
import Foundation
import Testing
import TestSupport

/// Attack: `podman run --annotation io.kubernetes.cri-o.ImageName=<an image
/// with a wider policy>` makes the hook choose that policy's filter for a
/// container of another image. The calls the wide policy allows are then never
/// logged by the kernel, although the container's own image's policy forbids
/// them, and the stamp is the hook's own, so the agent loads no rule either.
/// The container's forbidden call (clock_nanosleep, made by a process that
/// lives on while the agent looks it up) must still be reported.
@Suite(.serialized) struct ForgedImageAnnotationTests {
    static var prerequisites: Bool { OCIHookPodmanTests.prerequisites && LiveAudit.available }

    func writePolicy(_ dir: String, name: String, image: String, allow: [String]) throws {
        try """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: \(name)}
        spec:
          images: ["\(image)"]
          allow: [\(allow.joined(separator: ", "))]
        """.write(toFile: "\(dir)/\(name).yaml", atomically: true, encoding: .utf8)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aForgedCRIImageAnnotationDoesNotChooseAWiderPolicysFilter() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("forged-image")
            defer { try? FileManager.default.removeItem(at: work) }
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let image = "localhost/callguard-strict-\(suffix):1"
            let name = "callguard-forged-image-\(suffix)"
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            let policies = work.path + "/policies"
            let state = work.path + "/state"
            let hooks = work.path + "/hooks"
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let names = try SeccompExportPodmanTests().podmanDefaultNames()
            try writePolicy(policies, name: "strict", image: image, allow: names.filter { $0 != "clock_nanosleep" })
            try writePolicy(policies, name: "wide", image: "localhost/callguard-wide:*", allow: names)
            _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)

            let agent = try AgentProcess(
                ["--policies", policies, "--rules", "auto", "--sink", "stdout", "--state-dir", state], directory: work.path)
            defer { agent.kill() }
            #expect(RuleModeTests.eventually(3) { FileManager.default.fileExists(atPath: state + "/index.json") })
            let id = try PodmanHarness.podman([
                "--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                "--annotation", "io.kubernetes.cri-o.ImageName=localhost/callguard-wide:1",
                "--name", name, image, "/bin/busybox", "sleep", "5",
            ])
            let found = RuleModeTests.eventually(15) {
                agent.stdout.split(separator: "\n").contains { $0.contains(id) && $0.contains("\"name\":\"clock_nanosleep\"") }
            }
            #expect(found, "the container's clock_nanosleep, forbidden by its image's policy, went unseen: \(agent.stdout) \(agent.stderr)")
            _ = try? PodmanHarness.podman(["wait", name])
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
