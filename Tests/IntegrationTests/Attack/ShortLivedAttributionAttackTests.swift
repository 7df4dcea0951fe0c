import CallguardAgent
import Foundation
import Testing
import TestSupport

/// Attacks on the attribution of a guarded container's short-lived processes
/// (the kernel's fork announcements name a new process's parent, and the agent
/// took a container process's child for that container's).
///
/// With CLONE_PARENT a process makes a child whose parent is its own parent.
/// In a pid namespace shared by two containers (`--pid container:A`, a pod
/// sharing its process namespace), a process of B that its parent left is
/// adopted by the namespace's init, a process of A: its CLONE_PARENT children
/// are announced as the init's, although they run in B's cgroup under B's
/// filter. They must still be reported with B and B's image.
@Suite(.serialized)
struct ShortLivedAttributionAttackTests {
    static var prerequisites: Bool {
        GuardedByDefaultTests.prerequisites && ChildProcess.executable("gcc") != nil && ChildProcess.executable("tar") != nil
    }
    static let forbidden: Set<String> = ["chmod", "fchmodat", "fchmodat2"]

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func aCloneParentChildOfAProcessAdoptedByAnotherContainersInitIsReportedWithItsOwnContainer() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, gcc, auditctl, the built callguard")
        else { return }
        try await LiveAudit.withRestoredState {
            // A: the namespace's init (it never reaps: its children stay zombies), of an image allowed chmod.
            // B: joins A's pid namespace; its image is not allowed chmod.
            let scenario = try TwoImages(label: "pidns", roleA: "owner", roleB: "joiner", chmodAllowedForA: true)
            defer { scenario.cleanUp() }
            let (agent, common, nameA, nameB, imageA, imageB) = (
                scenario.agent, scenario.podmanRun, scenario.nameA, scenario.nameB, scenario.imageA, scenario.imageB
            )
            let idA = try PodmanHarness.podman(common + ["--name", nameA, imageA, "/bin/busybox", "sleep", "60"])
            let calls = 10
            let idB = try PodmanHarness.podman(
                common + [
                    "--pid", "container:\(nameA)", "--name", nameB, imageB,
                    "/bin/busybox", "sh", "-c", "sleep 1; /bin/clone-parent adopted \(calls) 20000; exec /bin/busybox sleep 30",
                ])
            let all = RuleModeTests.eventually(10) { scenario.chmodViolations().count >= calls }
            let lines = scenario.chmodViolations()
            #expect(all, "\(lines.count) of \(calls) chmod violations of B reported: \(lines) \(agent.stderr)")
            let asB = lines.filter { $0.contains(idB) && $0.contains(imageB) }
            #expect(asB.count == lines.count, "not all with B (\(idB)) and its image: \(lines)")
            let asA = lines.filter { $0.contains(idA) }
            #expect(asA.isEmpty, "attributed to A, the namespace's init's container: \(asA)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func anotherContainersForkFloodDoesNotGetAContainersShortLivedCallsTakenForItsOwn() async throws {
        // B forks in a loop for 3 s: every pid of the host is then cached as one
        // of its children's. While the agent cannot run (here: stopped for
        // 2.5 s, as on an overloaded host), B forks 24,000 more children: the
        // kernel's announcements overflow the agent's buffer (about 11,000
        // forks fit), and the forks of A's children made meanwhile are lost.
        // A's children make one chmod each and are reaped before their records
        // are read: they must be reported as A's or with no container, never
        // taken for B's. (24,000 pids do not wrap around the host's 32,768: no
        // child of B gets one of theirs after them.)
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit, podman + runc, busybox-static, gcc, auditctl, the built callguard")
        else { return }
        try await LiveAudit.withRestoredState {
            let scenario = try TwoImages(label: "flood", roleA: "victim", roleB: "flooder", chmodAllowedForA: false)
            defer { scenario.cleanUp() }
            let (agent, common, nameA, nameB, imageA, imageB) = (
                scenario.agent, scenario.podmanRun, scenario.nameA, scenario.nameB, scenario.imageA, scenario.imageB
            )
            let idB = try PodmanHarness.podman(
                common + [
                    "--name", nameB, imageB, "/bin/busybox", "sh", "-c",
                    "/bin/clone-parent flood 3; exec /bin/busybox sleep 60",
                ])
            // 40 children, 100 ms apart, each making one chmod; the shell reaps them at once.
            let calls = 40
            let idA = try PodmanHarness.podman(
                common + [
                    "--name", nameA, imageA, "/bin/busybox", "sh", "-c",
                    "sleep 3; i=0; while [ $i -lt \(calls) ]; do /bin/busybox chmod 0700 /tmp; i=$((i+1)); sleep 0.1; done; exec /bin/busybox sleep 30",
                ])
            usleep(4_000_000)
            kill(agent.pid, SIGSTOP)
            let stopped = Date()
            _ = try PodmanHarness.podman(["exec", nameB, "/bin/clone-parent", "burst", "24000"])
            usleep(UInt32(max(0, 2.5 - Date().timeIntervalSince(stopped)) * 1_000_000))
            kill(agent.pid, SIGCONT)
            let all = RuleModeTests.eventually(20) { scenario.chmodViolations().count >= calls }
            let lines = scenario.chmodViolations()
            let asB = lines.filter { $0.contains(idB) }
            #expect(asB.isEmpty, "A's calls taken for B's: \(asB)")
            #expect(all, "\(lines.count) of \(calls) chmod violations of A reported: \(lines) \(agent.stderr)")
            let asA = lines.filter { $0.contains(idA) && $0.contains(imageA) }
            let unknown = lines.filter { $0.contains("container-unknown") }
            #expect(asA.count + unknown.count == lines.count, "neither A's nor unknown: \(lines)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
        }
    }

    /// Two busybox images with the attacker at `/bin/clone-parent`, each with a
    /// policy (podman's default; chmod allowed to one of them only), the hook in
    /// its own directory, and the agent (no folding) reading their violations.
    /// ``cleanUp()`` stops the agent (also if stopped) and removes the
    /// containers, images and directory.
    final class TwoImages {
        let work: URL
        let imageA: String, imageB: String, nameA: String, nameB: String
        let agent: AgentProcess
        /// `podman … run -d` with the hook, runc and cgroupfs, before `--name`.
        let podmanRun: [String]

        init(label: String, roleA: String, roleB: String, chmodAllowedForA: Bool) throws {
            work = try LiveAudit.temporaryDirectory(label)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            imageA = "localhost/callguard-\(label)-\(roleA)-\(suffix):1"
            imageB = "localhost/callguard-\(label)-\(roleB)-\(suffix):1"
            nameA = "callguard-\(label)-\(roleA)-\(suffix)"
            nameB = "callguard-\(label)-\(roleB)-\(suffix)"
            let attacker = try ShortLivedAttributionAttackTests.buildAttacker(workDir: work.path)
            try ShortLivedAttributionAttackTests.importImage(named: imageA, workDir: work.path, attacker: attacker)
            try ShortLivedAttributionAttackTests.importImage(named: imageB, workDir: work.path, attacker: attacker)
            let policies = work.path + "/policies"
            let state = work.path + "/state"
            let hooks = work.path + "/hooks"
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let podmanDefault = try SeccompExportPodmanTests().podmanDefaultNames()
            let withChmod = Array(Set(podmanDefault).union(["chmod", "fchmodat"])).sorted()
            let withoutChmod = podmanDefault.filter { !ShortLivedAttributionAttackTests.forbidden.contains($0) }
            let forgery = ForgedImageAnnotationTests()
            try forgery.writePolicy(policies, name: roleA, image: imageA, allow: chmodAllowedForA ? withChmod : withoutChmod)
            try forgery.writePolicy(policies, name: roleB, image: imageB, allow: chmodAllowedForA ? withoutChmod : withChmod)
            _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)
            let config = work.path + "/config.yaml"
            try "throttle: {windowMilliseconds: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
            agent = try AgentProcess(
                ["--policies", policies, "--sink", "stdout", "--state-dir", state, "--config", config], directory: work.path)
            podmanRun = [
                "--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            ]
        }

        /// The agent's lines so far that report a chmod call.
        func chmodViolations() -> [String] {
            agent.stdout.split(separator: "\n").map(String.init).filter { line in
                ShortLivedAttributionAttackTests.forbidden.contains { line.contains("\"\($0)\"") }
            }
        }

        func cleanUp() {
            kill(agent.pid, SIGCONT)
            agent.kill()
            // B first: it may share A's pid namespace.
            PodmanHarness.cleanUp(containers: [nameB, nameA], images: [imageB, imageA])
            try? FileManager.default.removeItem(at: work)
        }
    }

    /// Compiles `Fixtures/attack/clone-parent.c` (static: the image has no libc) and returns its path.
    static func buildAttacker(workDir: String) throws -> String {
        let source = Repository.root.appendingPathComponent("Tests/IntegrationTests/Fixtures/attack/clone-parent.c").path
        let binary = workDir + "/clone-parent"
        let r = try ChildProcess.run(try #require(ChildProcess.executable("gcc")), ["-O2", "-static", "-o", binary, source])
        try #require(r.status == 0, "gcc -static failed: \(r.stderr)")
        return binary
    }

    /// Imports the busybox-static image `name` with the attacker at `/bin/clone-parent`.
    static func importImage(named name: String, workDir: String, attacker: String) throws {
        let tarball = try BusyboxRootfs.tarball(named: name, workDir: workDir)
        let staging = workDir + "/attacker-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: staging + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: attacker, toPath: staging + "/bin/clone-parent")
        let r = try ChildProcess.run(try #require(ChildProcess.executable("tar")), ["-rf", tarball, "-C", staging, "./bin/clone-parent"])
        try #require(r.status == 0, "tar -r failed: \(r.stderr)")
        _ = try PodmanHarness.podman(["import", tarball, name])
    }
}
