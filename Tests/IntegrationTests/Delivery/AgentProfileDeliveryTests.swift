import CallguardAgent
import Foundation
import PolicyKit
import Testing
import TestSupport

/// `callguard run` delivering profiles: the state and kubelet profiles written on
/// start and on SIGHUP, violations naming the profile their container runs
/// with, and a container from before a reload named stale.
@Suite(.serialized)
struct AgentProfileDeliveryTests {
    static var prerequisites: Bool { OCIHookPodmanTests.prerequisites && LiveAudit.available }

    func writePolicy(_ dir: String, image: String, allow: [String]) throws {
        let yaml = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: hooked}
            spec:
              images: ["\(image)"]
              allow: [\(allow.joined(separator: ", "))]
            """
        try yaml.write(toFile: dir + "/hooked.yaml", atomically: true, encoding: .utf8)
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func violationsNameTheProfileAndAnOlderContainerIsStaleAfterReload() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, the built callguard") else { return }
        try await LiveAudit.withRestoredState {
            let work = try LiveAudit.temporaryDirectory("delivery")
            defer { try? FileManager.default.removeItem(at: work) }
            let image = "localhost/callguard-delivery-\(UUID().uuidString.prefix(8).lowercased()):1"
            try PodmanHarness.importBusyboxImage(named: image, workDir: work.path)
            let old = "callguard-delivery-old-\(UUID().uuidString.prefix(8).lowercased())"
            defer { PodmanHarness.cleanUp(containers: [old], images: [image]) }
            let policies = work.path + "/policies"
            let state = work.path + "/state"
            let kubelet = work.path + "/kubelet"
            let hooks = work.path + "/hooks"
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let names = try SeccompExportPodmanTests().podmanDefaultNames().filter { !["clock_nanosleep", "mkdir", "mkdirat"].contains($0) }
            try writePolicy(policies, image: image, allow: names)
            _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)

            // No folding window: the call after the reload is reported on its own.
            let config = work.path + "/config.yaml"
            try "throttle: {windowMilliseconds: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
            let agent = try AgentProcess(
                [
                    "--policies", policies, "--config", config, "--sink", "stdout", "--state-dir", state,
                    "--kubelet-seccomp-root", kubelet,
                ],
                directory: work.path)
            defer { agent.kill() }
            let first = try ProfileIndex.read(stateDirectory: state)
            let firstDigest = try #require(first.entry(named: "hooked")?.digest)
            #expect(FileManager.default.fileExists(atPath: kubelet + "/callguard/hooked.json"))
            #expect(FileManager.default.fileExists(atPath: state + "/profiles/hooked.json"))

            // A container created under the first profile, kept running across the reload.
            _ = try PodmanHarness.podman(
                [
                    "--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                    "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--name", old, image,
                    "/bin/busybox", "sleep", "60",
                ])
            // The forbidden call: clock_nanosleep, made by a process that lives on while the agent looks it up.
            _ = try PodmanHarness.podman(["exec", old, "/bin/busybox", "sleep", "1"])
            let seen = Date(timeIntervalSinceNow: 10)
            while !agent.stdout.contains("\"profile\""), Date() < seen { usleep(100_000) }
            let before = agent.stdout.split(separator: "\n").filter { $0.contains("\"clock_nanosleep\"") }
            #expect(before.contains { $0.contains("\"profile\":{\"policy\":\"hooked\",\"digest\":\"\(firstDigest)\",\"stale\":false}") }, "\(agent.stdout)")

            // A new policy version (mkdir allowed now): new digest; the old container is stale.
            try writePolicy(policies, image: image, allow: names + ["mkdir", "mkdirat"])
            agent.send(SIGHUP)
            let reloaded = Date(timeIntervalSinceNow: 10)
            while (try? ProfileIndex.read(stateDirectory: state).entry(named: "hooked")?.digest) == firstDigest, Date() < reloaded {
                usleep(100_000)
            }
            let secondDigest = try #require(try ProfileIndex.read(stateDirectory: state).entry(named: "hooked")?.digest)
            #expect(secondDigest != firstDigest)
            _ = try PodmanHarness.podman(["exec", old, "/bin/busybox", "sleep", "1.5"])
            let staleSeen = Date(timeIntervalSinceNow: 10)
            while !agent.stdout.contains("\"stale\":true"), Date() < staleSeen { usleep(100_000) }
            #expect(agent.stdout.contains("\"digest\":\"\(firstDigest)\",\"stale\":true"), "\(agent.stdout)")
            #expect(agent.terminate() != nil)
            #expect(agent.stderr.contains("seccomp profiles for 1 policy written to \(state)"), "\(agent.stderr)")
        }
    }
}
