import AuditKit
import CallguardAgent
import Foundation
import Testing
import TestSupport

/// Issue 14's promise, end to end on the real kernel: with the podman hook
/// installed and `callguard run` in its default mode, a guarded container's
/// forbidden call is reported from the kernel's own seccomp record, while no
/// audit exit rule is loaded and the host's processes produce nothing.
@Suite(.serialized)
struct GuardedByDefaultTests {
    static var prerequisites: Bool { AgentProfileDeliveryTests.prerequisites && RuleModeTests.prerequisites }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func hookedContainersForbiddenCallIsReportedOnceWithNoExitRuleAndTheHostsSameCallIsNot() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, auditctl, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            // Everything podman's default allows except clock_nanosleep (busybox sleep's call).
            let scenario = try HookedPodmanScenario(label: "guarded", forbidden: ["clock_nanosleep"])
            defer { scenario.cleanUp() }
            // The default mode: no --rules.
            let agent = try scenario.startAgent()
            defer { agent.kill() }
            let id = try scenario.runHooked(
                scenario.containerName("default"), ["/bin/busybox", "sh", "-c", "sleep 2; exec /bin/busybox sleep 30"])
            // The host's own clock_nanosleep, made while the agent runs: nothing.
            let hostSleep = try ChildProcess.run("/bin/sleep", ["0.2"])
            #expect(hostSleep.status == 0)

            let reported = RuleModeTests.eventually(15) {
                agent.stdout.split(separator: "\n").contains { $0.contains("\"clock_nanosleep\"") && $0.contains(id) }
            }
            #expect(reported, "no clock_nanosleep violation of the guarded container: \(agent.stdout) \(agent.stderr)")
            // Past the agent's container scan (1 s): still no exit rule, and the container is not unguarded.
            usleep(1_500_000)
            #expect(try RuleModeTests.callguardRules().isEmpty, "an exit rule was loaded for a guarded container")
            #expect(try !RuleModeTests.auditctlListsCallguard())
            #expect(try AuditControl().kernelRules().isEmpty, "some audit rule is loaded while the agent runs in its default mode")

            let lines = agent.stdout.split(separator: "\n").map(String.init)
            let ours = lines.filter { $0.contains("\"clock_nanosleep\"") }
            #expect(ours.count == 1, "exactly one clock_nanosleep violation (after folding): \(ours)")
            #expect(ours.allSatisfy { $0.contains(id) && $0.contains(scenario.image) && $0.contains("\"source\":\"seccomp\"") }, "\(ours)")
            #expect(!lines.contains { $0.contains("\"container-unguarded\"") }, "the hooked container was reported unguarded: \(lines)")
            #expect(lines.allSatisfy { $0.contains(id) }, "a violation of something other than the guarded container: \(lines)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
