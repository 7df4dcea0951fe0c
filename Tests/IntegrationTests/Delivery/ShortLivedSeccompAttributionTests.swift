import AuditKit
import CallguardAgent
import Foundation
import Testing
import TestSupport

/// A guarded container's process that makes its forbidden call and exits at
/// once: its SECCOMP record names no parent and its /proc entry is gone (or a
/// zombie's) by the time the record is read, yet it is reported as the
/// container's: its fork, which the kernel announced first, names its parent,
/// and a runtime's child is read when it executes the container's program.
@Suite(.serialized)
struct ShortLivedSeccompAttributionTests {
    static var prerequisites: Bool { GuardedByDefaultTests.prerequisites }
    static let forbidden: Set<String> = ["chmod", "fchmodat", "fchmodat2"]

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func everyForbiddenCallOfShortLivedChildrenIsReportedWithTheirContainer() async throws {
        // Ten children, each started by the container's shell, making one chmod and exiting within milliseconds.
        try await expectEveryChmodAttributed(
            calls: 10, scripts: ["sleep 1; for i in 1 2 3 4 5 6 7 8 9 10; do /bin/busybox chmod 0700 /tmp; done; exec /bin/busybox sleep 30"])
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func childrenLeftUnreapedAsZombiesAreReportedWithTheirContainer() async throws {
        // A zombie's /proc cgroup file reads as the root cgroup: taken for the
        // host's, its calls went unreported. The container's init (exec'd
        // sleep) never reaps the five children.
        try await expectEveryChmodAttributed(
            calls: 5, scripts: ["sleep 1; for i in 1 2 3 4 5; do /bin/busybox chmod 0700 /tmp & done; exec /bin/busybox sleep 30"])
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aContainersFirstProcessThatMakesItsCallAndExitsAtOnceIsReportedWithItsContainer() async throws {
        // Each container's only process: the forbidden call, then exit.
        try await expectEveryChmodAttributed(calls: 5, scripts: Array(repeating: "exec /bin/busybox chmod 0700 /tmp", count: 5))
    }

    /// Runs one hooked container per script (`sh -c SCRIPT`) of an image whose
    /// policy forbids chmod, under `callguard run` in its default mode with no
    /// folding, and expects `calls` chmod violations, each naming its container and image.
    func expectEveryChmodAttributed(calls: Int, scripts: [String]) async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, auditctl, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let scenario = try HookedPodmanScenario(label: "short-lived", forbidden: Self.forbidden)
            defer { scenario.cleanUp() }
            // Every violation out on its own (no folding), to count them.
            let agent = try scenario.startAgent(config: "throttle: {windowMilliseconds: 0}\n")
            defer { agent.kill() }
            var ids: [String] = []
            for (index, script) in scripts.enumerated() {
                ids.append(try scenario.runHooked(scenario.containerName("\(index)"), ["/bin/busybox", "sh", "-c", script]))
            }
            func chmods() -> [String] {
                agent.stdout.split(separator: "\n").map(String.init).filter { line in Self.forbidden.contains { line.contains("\"\($0)\"") } }
            }
            let all = RuleModeTests.eventually(20) { chmods().count >= calls }
            let lines = chmods()
            #expect(all, "\(lines.count) of \(calls) chmod violations: \(lines) \(agent.stderr)")
            let unknown = lines.filter { $0.contains("container-unknown") }
            #expect(unknown.isEmpty, "\(unknown.count) of \(lines.count) reported with no container: \(unknown)")
            let attributed = lines.filter { line in line.contains(scenario.image) && ids.contains { line.contains($0) } }
            #expect(attributed.count == lines.count, "not all with their container and image: \(lines)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }
}
