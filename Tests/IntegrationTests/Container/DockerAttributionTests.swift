import ContainerKit
import Foundation
import Testing
import TestSupport

/// Real docker containers (dockerd + containerd + runc started by the suite,
/// with temporary data roots): their processes are attributed to the right
/// container id and image from `config.v2.json` under the suite's data root.
@Suite(.serialized, .containerDaemons)
struct DockerAttributionTests {
    static var enabled: Bool { RequireIntegration.shouldRun(ContainerDaemons.prerequisitesMet) }

    /// The suite's daemons, or nil (with an issue recorded) when a prerequisite is missing.
    static func daemons(sourceLocation: SourceLocation = #_sourceLocation) -> ContainerDaemons? {
        guard
            RequireIntegration.check(
                ContainerDaemons.prerequisitesMet, "root, docker.io, containerd, runc, busybox-static (apt-get install docker.io containerd runc busybox-static)",
                sourceLocation: sourceLocation)
        else { return nil }
        let current = ContainerDaemons.current
        #expect(current != nil, "containerd and dockerd did not start", sourceLocation: sourceLocation)
        return current
    }

    static func attributor(_ daemons: ContainerDaemons) -> Attributor {
        var configuration = Attributor.Configuration()
        configuration.removalGrace = 0
        return Attributor(
            resolver: ContainerResolver(roots: daemons.stateRoots, minReloadInterval: 0.1), configuration: configuration)
    }

    static func workDir(_ tag: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-docker-\(tag)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(.enabled(if: enabled))
    func longLivedContainersAndTheirShortLivedChildrenAreAttributedToTheirImages() async throws {
        guard let daemons = Self.daemons() else { return }
        let work = try Self.workDir("run")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let imageA = "localhost/callguard-docker-a:1"
        let imageB = "localhost/callguard-docker-b:2"
        try daemons.importBusyboxImage(named: imageA, workDir: work)
        try daemons.importBusyboxImage(named: imageB, workDir: work)
        let attributor = Self.attributor(daemons)

        let idA = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-a", imageA, "sleep", "300"])
        let pidA = try daemons.pid(ofContainer: "cg-a")
        let a = attributor.attribute(pid: pidA, ppid: 0)
        #expect(a.container?.id == idA)
        #expect(a.container?.runtime == .docker)
        #expect(a.container?.imageName == imageA)
        #expect(a.container?.imageID?.hasPrefix("sha256:") == true)
        #expect(a.container?.name == "cg-a")

        // Started after the first was resolved: its state is read on demand.
        let idB = try daemons.docker([
            "run", "-d", "--network", "none", "--name", "cg-b", imageB, "sh", "-c", "while :; do sleep 0.3; done",
        ])
        let pidB = try daemons.pid(ofContainer: "cg-b")
        #expect(attributor.attribute(pid: pidB, ppid: 0).container?.imageName == imageB)
        #expect(attributor.attribute(pid: pidB, ppid: 0).container?.id == idB)

        // The container's shim and this test process are the host.
        let shim = try #require(ProcFileSystem().stat(pid: pidA)?.ppid)
        #expect(attributor.attribute(pid: shim, ppid: 1) == .host)
        #expect(attributor.attribute(pid: getpid(), ppid: getppid()) == .host)

        // A short-lived child never seen alive: attributed through its recorded parent.
        let child = try await Self.waitForChild(of: pidB)
        try await Self.waitForExit(child)
        let late = attributor.attribute(pid: child, ppid: pidB)
        #expect(late.container?.id == idB)
        #expect(late.container?.imageName == imageB)

        // A whole container that lives two seconds is attributed while it runs.
        let idC = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-c", imageA, "sleep", "2"])
        let pidC = try daemons.pid(ofContainer: "cg-c")
        let c = attributor.attribute(pid: pidC, ppid: 0)
        #expect(c.container?.id == idC)
        #expect(c.container?.imageName == imageA)

        // The start-up scan of the real /proc finds the running ones.
        let scanned = Attributor(resolver: ContainerResolver(roots: daemons.stateRoots)).scanRunningProcesses()
        #expect(scanned.first { $0.id == idA }?.imageName == imageA)
        #expect(scanned.first { $0.id == idB }?.imageName == imageB)
        try daemons.docker(["rm", "-f", "cg-a", "cg-b", "cg-c"])
    }

    @Test(.enabled(if: enabled))
    func aDockerExecProcessIsAttributedToItsContainer() async throws {
        guard let daemons = Self.daemons() else { return }
        let work = try Self.workDir("exec")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let image = "localhost/callguard-docker-exec:1"
        try daemons.importBusyboxImage(named: image, workDir: work)
        let id = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-exec", image, "sleep", "300"])
        let initPid = try daemons.pid(ofContainer: "cg-exec")
        try daemons.docker(["exec", "-d", "cg-exec", "sleep", "301"])

        // The exec'd process is a child of the shim, not of the container's init.
        let exec = try await Self.waitForProcess(inDockerContainer: id, excluding: [initPid])
        let parent = try #require(ProcFileSystem().stat(pid: exec)?.ppid)
        #expect(parent != initPid)
        let attributed = Self.attributor(daemons).attribute(pid: exec, ppid: parent)
        #expect(attributed.container?.id == id)
        #expect(attributed.container?.imageName == image)
        try daemons.docker(["rm", "-f", "cg-exec"])
    }

    @Test(.enabled(if: enabled))
    func aRestartedContainerKeepsItsIdAndImage() async throws {
        guard let daemons = Self.daemons() else { return }
        let work = try Self.workDir("restart")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let image = "localhost/callguard-docker-restart:1"
        try daemons.importBusyboxImage(named: image, workDir: work)
        let attributor = Self.attributor(daemons)
        let id = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-restart", image, "sleep", "300"])
        let before = try daemons.pid(ofContainer: "cg-restart")
        #expect(attributor.attribute(pid: before, ppid: 0).container?.id == id)

        try daemons.docker(["restart", "-t", "0", "cg-restart"])
        let after = try daemons.pid(ofContainer: "cg-restart")
        #expect(after != before)
        // Same attributor (its container cache survives two sweeps: the id still exists).
        attributor.sweep()
        attributor.sweep()
        let again = attributor.attribute(pid: after, ppid: 0)
        #expect(again.container?.id == id)
        #expect(again.container?.imageName == image)
        #expect(attributor.counters.containersEvicted == 0)
        try daemons.docker(["rm", "-f", "cg-restart"])
    }

    /// A container keeps the reference it was started with: re-tagging the image
    /// and removing the old tag afterwards changes neither `Config.Image` in
    /// `config.v2.json` nor the image id, so violations keep naming the old tag
    /// (what the container really runs), with the unchanged image id beside it.
    @Test(.enabled(if: enabled))
    func aContainerKeepsTheImageReferenceItWasStartedWithAfterARetag() async throws {
        guard let daemons = Self.daemons() else { return }
        let work = try Self.workDir("retag")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let old = "localhost/callguard-docker-retag:1"
        let new = "localhost/callguard-docker-retag:2"
        try daemons.importBusyboxImage(named: old, workDir: work)
        let imageID = try daemons.docker(["image", "inspect", "-f", "{{.Id}}", old])
        let id = try daemons.docker(["run", "-d", "--network", "none", "--name", "cg-retag", old, "sleep", "300"])
        let pid = try daemons.pid(ofContainer: "cg-retag")

        try daemons.docker(["tag", old, new])
        try daemons.docker(["rmi", old])
        let attributed = Self.attributor(daemons).attribute(pid: pid, ppid: 0)
        #expect(attributed.container?.id == id)
        #expect(attributed.container?.imageName == old)
        #expect(attributed.container?.imageID == imageID)
        try daemons.docker(["rm", "-f", "cg-retag"])
    }

    // MARK: - Helpers

    static func waitForChild(of parent: Int32) async throws -> Int32 {
        for _ in 0..<500 {
            if let child = PodmanHarness.children(of: parent).first { return child }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no child of pid \(parent) appeared within 5 s")
        throw CancellationError()
    }

    static func waitForExit(_ pid: Int32) async throws {
        for _ in 0..<500 {
            if !PodmanHarness.exists(pid: pid) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("pid \(pid) did not exit within 5 s")
        throw CancellationError()
    }

    /// A host pid in cgroup `/docker/<id>` other than `excluding`, polled for up to 5 s.
    static func waitForProcess(inDockerContainer id: String, excluding: [Int32]) async throws -> Int32 {
        for _ in 0..<500 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = Int32(entry), !excluding.contains(pid),
                    let cgroup = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8),
                    cgroup.contains("/docker/\(id)")
                else { continue }
                return pid
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no second process in docker container \(id.prefix(12)) within 5 s")
        throw CancellationError()
    }
}
