import AuditKit
import CallguardAgent
import Foundation
import Testing
import TestSupport

/// A container created with the podman hook and restarted by a podman that
/// does not read that hooks dir runs without its callguard filter: the agent
/// must see the restart (a new init process, a rewritten bundle config) and
/// treat the container as unguarded again, rather than keep what it learnt
/// at the first start.
@Suite(.serialized)
struct RestartedContainerGuardTests {
    static var prerequisites: Bool { GuardedByDefaultTests.prerequisites }

    /// The container's command: the first start marks the container's own
    /// filesystem and blocks on a fifo (no forbidden call); every later start
    /// loops on `busybox sleep` (clock_nanosleep, which the policy forbids).
    static let command = [
        "/bin/busybox", "sh", "-c",
        "if [ -e /started-once ]; then while true; do /bin/busybox sleep 1; done; fi; "
            + "touch /started-once; mkfifo /wait; exec /bin/busybox cat /wait",
    ]

    /// Runs `body` with the agent stopped (SIGSTOP), so that no container scan
    /// falls between the old start's end and the new start: the agent sees
    /// the same container id with new processes, as after any restart quicker
    /// than its scan interval.
    static func whileStopped(_ agent: AgentProcess, _ body: () throws -> Void) throws {
        agent.send(SIGSTOP)
        defer { agent.send(SIGCONT) }
        try body()
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookedContainerRestartedWithoutTheHookIsReportedUnguardedAndItsForbiddenCallIsFound() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, auditctl, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let scenario = try HookedPodmanScenario(label: "restart-unhooked", forbidden: ["clock_nanosleep"])
            defer { scenario.cleanUp() }
            let state = scenario.state
            let name = scenario.containerName("restarted")
            let agent = try scenario.startAgent()
            defer { agent.kill() }
            let id = try scenario.runHooked(name, Self.command)
            #expect(FileManager.default.fileExists(atPath: "\(state)/stamps/\(id).json"), "the hook recorded no stamp for the first start")
            // Past the agent's container scan (1 s): the hooked container is guarded.
            usleep(2_500_000)
            #expect(!agent.stdout.contains("\"container-unguarded\""), "the hooked container was reported unguarded: \(agent.stdout)")

            // Restarted by a podman that does not read the hooks dir: no filter, no annotations.
            // Within one of the agent's container scans (held still meanwhile), as a quick restart is.
            try Self.whileStopped(agent) {
                _ = try PodmanHarness.podman(["--runtime", "runc", "--cgroup-manager=cgroupfs", "restart", "-t", "0", name])
            }

            // The first start's stamp record is still there: without the annotations it must not vouch for this start.
            #expect(FileManager.default.fileExists(atPath: "\(state)/stamps/\(id).json"))
            let unguarded = RuleModeTests.eventually(15) {
                agent.stdout.split(separator: "\n").contains { $0.contains("\"container-unguarded\"") && $0.contains(id) }
            }
            #expect(unguarded, "the container restarted without the hook was not reported unguarded: \(agent.stdout) \(agent.stderr)")
            let found = RuleModeTests.eventually(15) {
                agent.stdout.split(separator: "\n").contains {
                    $0.contains("\"clock_nanosleep\"") && $0.contains(id) && $0.contains("\"source\":\"audit-rule\"")
                }
            }
            #expect(found, "the restarted container's forbidden call was not found through per-process rules: \(agent.stdout) \(agent.stderr)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookedContainerRestartedWithTheHookStaysGuardedWithAFreshStamp() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, auditctl, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let scenario = try HookedPodmanScenario(label: "restart-hooked", forbidden: ["clock_nanosleep"])
            defer { scenario.cleanUp() }
            let (state, hooks) = (scenario.state, scenario.hooks)
            let name = scenario.containerName("restarted")
            let agent = try scenario.startAgent()
            defer { agent.kill() }
            let id = try scenario.runHooked(name, Self.command)
            let stamp = "\(state)/stamps/\(id).json"
            let firstStamp = try FileManager.default.attributesOfItem(atPath: stamp)[.modificationDate] as? Date
            usleep(1_500_000)
            try Self.whileStopped(agent) {
                _ = try PodmanHarness.podman(["--hooks-dir", hooks, "--runtime", "runc", "--cgroup-manager=cgroupfs", "restart", "-t", "0", name])
            }
            let secondStamp = try FileManager.default.attributesOfItem(atPath: stamp)[.modificationDate] as? Date
            #expect(firstStamp != nil && secondStamp != nil && secondStamp! > firstStamp!, "the restart's precreate wrote no fresh stamp")

            // The restarted container's sleeps come from its seccomp filter; it is never unguarded.
            let reported = RuleModeTests.eventually(15) {
                agent.stdout.split(separator: "\n").contains {
                    $0.contains("\"clock_nanosleep\"") && $0.contains(id) && $0.contains("\"source\":\"seccomp\"")
                }
            }
            #expect(reported, "no seccomp violation of the container restarted with the hook: \(agent.stdout) \(agent.stderr)")
            usleep(1_500_000)
            #expect(!agent.stdout.contains("\"container-unguarded\""), "the container restarted with the hook was reported unguarded: \(agent.stdout)")
            #expect(try RuleModeTests.callguardRules().isEmpty, "an exit rule was loaded for a container restarted with the hook")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
