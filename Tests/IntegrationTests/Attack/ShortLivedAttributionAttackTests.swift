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
            let work = try LiveAudit.temporaryDirectory("clone-parent")
            defer { try? FileManager.default.removeItem(at: work) }
            let suffix = UUID().uuidString.prefix(8).lowercased()
            // A: the namespace's init (it never reaps: its children stay zombies), of an image allowed chmod.
            // B: joins A's pid namespace; its image is not allowed chmod.
            let imageA = "localhost/callguard-pidns-owner-\(suffix):1"
            let imageB = "localhost/callguard-pidns-joiner-\(suffix):1"
            let nameA = "callguard-pidns-owner-\(suffix)"
            let nameB = "callguard-pidns-joiner-\(suffix)"
            let attacker = try Self.buildAttacker(workDir: work.path)
            try Self.importImage(named: imageA, workDir: work.path, attacker: attacker)
            try Self.importImage(named: imageB, workDir: work.path, attacker: attacker)
            // B shares A's namespace: B goes first.
            defer { PodmanHarness.cleanUp(containers: [nameB, nameA], images: [imageB, imageA]) }
            let policies = work.path + "/policies"
            let state = work.path + "/state"
            let hooks = work.path + "/hooks"
            try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
            let podmanDefault = try SeccompExportPodmanTests().podmanDefaultNames()
            let forgery = ForgedImageAnnotationTests()
            try forgery.writePolicy(policies, name: "owner", image: imageA, allow: Array(Set(podmanDefault).union(["chmod", "fchmodat"])).sorted())
            try forgery.writePolicy(policies, name: "joiner", image: imageB, allow: podmanDefault.filter { !Self.forbidden.contains($0) })
            _ = try HookInstaller.install(directory: hooks, binary: AgentProcess.executable, stateDirectory: state, failureMode: .open)
            let config = work.path + "/config.yaml"
            try "throttle: {windowMilliseconds: 0}\n".write(toFile: config, atomically: true, encoding: .utf8)
            let agent = try AgentProcess(
                ["--policies", policies, "--sink", "stdout", "--state-dir", state, "--config", config], directory: work.path)
            defer { agent.kill() }
            let common = [
                "--hooks-dir", hooks, "--runtime", "runc", "run", "-d", "--cgroup-manager=cgroupfs",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            ]
            let idA = try PodmanHarness.podman(common + ["--name", nameA, imageA, "/bin/busybox", "sleep", "60"])
            let calls = 10
            let idB = try PodmanHarness.podman(
                common + [
                    "--pid", "container:\(nameA)", "--name", nameB, imageB,
                    "/bin/busybox", "sh", "-c", "sleep 1; /bin/clone-parent adopted \(calls) 20000; exec /bin/busybox sleep 30",
                ])
            func chmods() -> [String] {
                agent.stdout.split(separator: "\n").map(String.init).filter { line in Self.forbidden.contains { line.contains("\"\($0)\"") } }
            }
            let all = RuleModeTests.eventually(10) { chmods().count >= calls }
            let lines = chmods()
            #expect(all, "\(lines.count) of \(calls) chmod violations of B reported: \(lines) \(agent.stderr)")
            let asB = lines.filter { $0.contains(idB) && $0.contains(imageB) }
            #expect(asB.count == lines.count, "not all with B (\(idB)) and its image: \(lines)")
            #expect(!lines.contains { $0.contains(idA) }, "attributed to A, the namespace's init's container: \(lines)")
            #expect(agent.terminate() != nil)
            try AgentEndToEndTests.expectKernelRestored()
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
