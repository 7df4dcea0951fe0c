import ContainerKit
import Foundation
import Testing
import TestSupport

/// Real containers (podman + runc) from two images built with `podman import`:
/// their processes must be attributed to the right container and image, the
/// host's to the host, and an exited process through its recorded parent.
@Suite(.serialized)
struct PodmanAttributionTests {
    @Test(.enabled(if: RequireIntegration.shouldRun(PodmanHarness.prerequisitesMet)))
    func realProcessesAreAttributedToTheirContainerAndImage() async throws {
        guard RequireIntegration.check(RequireIntegration.isRoot, "root"),
            RequireIntegration.check(PodmanHarness.executable("podman") != nil, "podman (apt-get install podman)"),
            RequireIntegration.check(PodmanHarness.executable("runc") != nil, "runc (apt-get install runc)"),
            RequireIntegration.check(
                FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "/bin/busybox (apt-get install busybox-static)")
        else { return }

        let tag = UUID().uuidString.prefix(8).lowercased()
        let imageA = "localhost/callguard-it-sleeper-\(tag):1"
        let imageB = "localhost/callguard-it-looper-\(tag):2"
        let nameA = "callguard-it-a-\(tag)"
        let nameB = "callguard-it-b-\(tag)"
        let workDir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-it-\(tag)").path
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        defer {
            PodmanHarness.cleanUp(containers: [nameA, nameB], images: [imageA, imageB])
            try? FileManager.default.removeItem(atPath: workDir)
        }

        try PodmanHarness.importBusyboxImage(named: imageA, workDir: workDir)
        try PodmanHarness.importBusyboxImage(named: imageB, workDir: workDir)
        var configuration = Attributor.Configuration()
        configuration.removalGrace = 0
        let attributor = Attributor(
            resolver: ContainerResolver(minReloadInterval: 0.1), configuration: configuration)

        // Long-running processes of two containers from two images; the second
        // container starts after the first was resolved (state re-read on demand).
        let idA = try PodmanHarness.runDetached(name: nameA, image: imageA, command: ["/bin/sleep", "300"])
        let pidA = try PodmanHarness.pid(ofContainer: nameA)
        let a = attributor.attribute(pid: pidA, ppid: 0)
        #expect(a.container?.id == idA)
        #expect(a.container?.imageName == imageA)
        #expect(a.container?.runtime == .podman)
        #expect(a.container?.name == nameA)

        let idB = try PodmanHarness.runDetached(
            name: nameB, image: imageB, command: ["/bin/sh", "-c", "while :; do /bin/sleep 0.3; done"])
        let pidB = try PodmanHarness.pid(ofContainer: nameB)
        let b = attributor.attribute(pid: pidB, ppid: 0)
        #expect(b.container?.id == idB)
        #expect(b.container?.imageName == imageB)
        #expect(b.container?.imageDigest?.hasPrefix("sha256:") == true)

        // Host processes: this test process, and the container's conmon.
        #expect(attributor.attribute(pid: getpid(), ppid: getppid()) == .host)
        let conmon = try #require(ProcFileSystem().stat(pid: pidA)?.ppid)
        #expect(attributor.attribute(pid: conmon, ppid: 1) == .host)

        // A short-lived process seen while alive stays attributed after it exits.
        let seen = try await waitForChild(of: pidB)
        attributor.processSeen(pid: seen, ppid: pidB)
        try await waitForExit(seen)
        #expect(attributor.attribute(pid: seen, ppid: pidB).container?.id == idB)

        // A short-lived process never seen alive: attributed through its recorded parent.
        let exited = try await waitForChild(of: pidB, excluding: [seen])
        try await waitForExit(exited)
        let viaParentBefore = attributor.counters.viaParent
        let late = attributor.attribute(pid: exited, ppid: pidB)
        #expect(late.container?.id == idB)
        #expect(late.container?.imageName == imageB)
        #expect(attributor.counters.viaParent == viaParentBefore + 1)
        #expect(attributor.counters.unattributed == 0)

        // A start-up scan of the real /proc finds both running containers with their images.
        let scanned = Attributor().scanRunningProcesses()
        #expect(scanned.first { $0.id == idA }?.imageName == imageA)
        #expect(scanned.first { $0.id == idB }?.imageName == imageB)

        // A removed container is evicted (grace 0: on the second sweep that finds it gone).
        _ = try PodmanHarness.podman(["rm", "-f", "-t", "0", nameA])
        attributor.sweep()
        attributor.sweep()
        #expect(!attributor.knownContainers.contains { $0.id == idA })
        #expect(attributor.knownContainers.contains { $0.id == idB })
        #expect(attributor.counters.containersEvicted == 1)
    }

    /// A child of `parent` (a short `sleep` of the loop), polled for up to 5 s.
    private func waitForChild(of parent: Int32, excluding: [Int32] = []) async throws -> Int32 {
        for _ in 0..<500 {
            if let child = PodmanHarness.children(of: parent).first(where: { !excluding.contains($0) }) { return child }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no child of pid \(parent) appeared within 5 s")
        throw CancellationError()
    }

    private func waitForExit(_ pid: Int32) async throws {
        for _ in 0..<500 {
            if !PodmanHarness.exists(pid: pid) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("pid \(pid) did not exit within 5 s")
        throw CancellationError()
    }
}
