import AuditKit
import CallguardAgent
import Foundation
import Testing
import TestSupport

/// A guarded container's process that makes its forbidden call and exits at
/// once: its SECCOMP record names no parent and its /proc entry is gone by
/// the time the record is read, yet it is reported as the container's (its
/// fork, which the kernel announced first, names its parent).
@Suite(.serialized)
struct ShortLivedSeccompAttributionTests {
    static var prerequisites: Bool { GuardedByDefaultTests.prerequisites }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func everyForbiddenCallOfShortLivedChildrenIsReportedWithTheirContainer() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, auditctl, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("short-lived")
            defer { try? FileManager.default.removeItem(at: work) }
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let image = "localhost/callguard-short-lived-\(suffix):1"
            let name = "callguard-short-lived-\(suffix)"
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            defer { PodmanHarness.cleanUp(containers: [name], images: [image]) }
            let policies = work.path + "/policies"
            let state = work.path + "/state"
            let hooks = work.path + "/hooks"
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let forbidden: Set<String> = ["chmod", "fchmodat", "fchmodat2"]
            let names = try SeccompExportPodmanTests().podmanDefaultNames().filter { !forbidden.contains($0) }
            try AgentProfileDeliveryTests().writePolicy(policies, image: image, allow: names)
            _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)
            // Every violation out on its own (no folding), to count them.
            let config = work.path + "/config.yaml"
            try "throttle: {windowMilliseconds: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)

            let agent = try AgentProcess(
                ["--policies", policies, "--sink", "stdout", "--state-dir", state, "--config", config], directory: work.path)
            defer { agent.kill() }
            // Ten children, each started by the container's shell, making one chmod and exiting within milliseconds.
            let id = try PodmanHarness.podman(
                [
                    "--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                    "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", name, image,
                    "/bin/busybox", "sh", "-c",
                    "sleep 1; for i in 1 2 3 4 5 6 7 8 9 10; do /bin/busybox chmod 0700 /tmp; done; exec /bin/busybox sleep 30",
                ])
            func chmods() -> [String] {
                agent.stdout.split(separator: "\n").map(String.init).filter { line in
                    forbidden.contains { line.contains("\"name\":\"\($0)\"") || line.contains("\"\($0)\"") }
                }
            }
            let all = RuleModeTests.eventually(20) { chmods().count >= 10 }
            let lines = chmods()
            #expect(all, "fewer than 10 chmod violations: \(lines) \(agent.stderr)")
            let unknown = lines.filter { $0.contains("container-unknown") }
            #expect(unknown.isEmpty, "\(unknown.count) of \(lines.count) reported with no container: \(unknown)")
            #expect(lines.allSatisfy { $0.contains(id) && $0.contains(image) }, "\(lines)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
