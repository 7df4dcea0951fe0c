import Foundation
import Testing
@testable import ContainerKit

/// The attribution cache: once per process, pid reuse, exited processes, eviction.
struct AttributorTests {
    static let podmanCgroup = "0::/libpod_parent/libpod-\(TestIDs.podman)\n"
    static let dockerCgroup = "0::/system.slice/docker-\(TestIDs.docker).scope\n"
    static let hostCgroup = "0::/user.slice/user-0.slice/session-1.scope\n"
    static let conmonCgroup = "1:cpu:/libpod_parent/conmon\n0::/\n"
    static let runcBinary = FileIdentity(device: 2049, inode: 14_106_640)
    static let fakeRunc = FileIdentity(device: 2049, inode: 999)

    let proc = InMemoryProcSource()
    let clock = ManualClock()

    func makeAttributor(
        roots: ContainerStateRoots = TestIDs.roots.value, configure: (inout Attributor.Configuration) -> Void = { _ in }
    ) -> Attributor {
        var configuration = Attributor.Configuration()
        configure(&configuration)
        return Attributor(
            proc: proc, resolver: ContainerResolver(roots: roots, minReloadInterval: 0, clock: clock.now),
            configuration: configuration, clock: clock.now)
    }

    @Test func hostProcessIsHost() {
        proc.add(pid: 100, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
        #expect(makeAttributor().attribute(pid: 100, ppid: 1) == .host)
    }

    @Test func containerProcessCarriesImage() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: Self.podmanCgroup)
        let attribution = makeAttributor().attribute(pid: 200, ppid: 199)
        #expect(attribution.container?.id == TestIDs.podman)
        #expect(attribution.container?.imageName == "localhost/cgprobe:1")
        #expect(attribution.container?.runtime == .podman)
    }

    @Test func procIsReadOncePerProcessNotPerEvent() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        for _ in 0..<1_000 { _ = attributor.attribute(pid: 200, ppid: 199) }
        #expect(proc.reads == 2)  // the process, and once its (uncached) parent
        #expect(attributor.counters.misses == 1)
        #expect(attributor.counters.hits == 999)
    }

    @Test func exitedProcessIsAttributedThroughKnownParent() {
        proc.add(pid: 300, ppid: 299, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 300, ppid: 299)
        // 301 was forked by 300 and exited before its event arrived.
        let attribution = attributor.attribute(pid: 301, ppid: 300)
        #expect(attribution.container?.imageName == "localhost/cgprobe:1")
        #expect(attributor.counters.viaParent == 1)
        #expect(attributor.counters.unattributed == 0)
    }

    @Test func exitedProcessWithLiveUncachedParentReadsTheParent() {
        proc.add(pid: 300, ppid: 299, startTime: 10, cgroup: Self.dockerCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 305, ppid: 300).container?.imageName == "httpd:2.4")
        #expect(attributor.cachedProcesses == 2)
    }

    @Test func exitedProcessWithUnknownParentIsUnattributedAndCounted() {
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 400, ppid: 399) == .unknown)
        #expect(attributor.attribute(pid: 400, ppid: 399) == .unknown)
        #expect(attributor.attribute(pid: 401, ppid: 0) == .unknown)
        #expect(attributor.counters.unattributed == 3)
    }

    @Test func exitedChildOfRuntimeHelperIsNotGuessedToBeHost() {
        proc.add(pid: 500, ppid: 1, startTime: 10, comm: "conmon", cgroup: Self.conmonCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 500, ppid: 1) == .host)
        #expect(attributor.attribute(pid: 501, ppid: 500) == .unknown)
        #expect(attributor.counters.unattributed == 1)
    }

    /// An LXC container's init clones with CLONE_PARENT: the child's parent is
    /// the LXC monitor on the host (comm `lxc-start`, cgroup `lxc.monitor.NAME`).
    /// Once the child has exited, "host" would leave its calls unchecked.
    @Test func exitedChildOfTheLxcMonitorIsNotGuessedToBeHost() {
        proc.add(pid: 700, ppid: 1, startTime: 10, comm: "lxc-start", cgroup: "0::/lxc.monitor.c1\n")
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 700, ppid: 1) == .host)
        #expect(attributor.attribute(pid: 701, ppid: 700) == .unknown)
    }

    @Test func exitedChildOfHostShellIsHost() {
        proc.add(pid: 600, ppid: 1, startTime: 10, comm: "bash", cgroup: Self.hostCgroup)
        #expect(makeAttributor().attribute(pid: 601, ppid: 600) == .host)
    }

    @Test func hostChildOfRuntimeBinaryIsReadAgainUntilItJoinsAContainerCgroup() {
        // runc exec's process is set up on the host and moved into the container's
        // cgroup afterwards, keeping its pid and start time.
        proc.addFile("/usr/sbin/runc", Self.runcBinary)
        proc.add(pid: 799, ppid: 1, startTime: 9, comm: "runc", cgroup: Self.conmonCgroup, executable: Self.runcBinary)
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "runc:[2:INIT]", cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 800, ppid: 799) == .host)
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "sh", cgroup: Self.podmanCgroup)
        #expect(attributor.attribute(pid: 800, ppid: 799).container?.id == TestIDs.podman)
    }

    @Test func hostChildOfAnotherBinaryNamedRuncIsCachedAsHost() {
        proc.addFile("/usr/sbin/runc", Self.runcBinary)
        proc.add(pid: 799, ppid: 1, startTime: 9, comm: "runc", cgroup: Self.hostCgroup, executable: Self.fakeRunc)
        proc.add(pid: 800, ppid: 799, startTime: 10, cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 800, ppid: 799) == .host)
        let reads = proc.reads
        #expect(attributor.attribute(pid: 800, ppid: 799) == .host)
        #expect(proc.reads == reads)
    }

    @Test func processSeenEarlyKeepsShortLivedProcessAttributed() {
        proc.add(pid: 700, ppid: 699, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        attributor.processSeen(pid: 700)
        proc.remove(pid: 700)
        #expect(attributor.attribute(pid: 700, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.hits == 1)
    }

    @Test func cachedKeyCarriesStartTimeOfTheCachedProcess() {
        proc.add(pid: 820, ppid: 1, startTime: 77, cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.cachedKey(pid: 820) == nil)
        _ = attributor.attribute(pid: 820, ppid: 1)
        #expect(attributor.cachedKey(pid: 820) == ProcessKey(pid: 820, startTime: 77))
        _ = attributor.attribute(pid: 821, ppid: 820)
        #expect(attributor.cachedKey(pid: 821) == ProcessKey(pid: 821, startTime: 0))
    }

    @Test func processSeenTwiceWithSameStartTimeKeepsEntry() {
        proc.add(pid: 810, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        attributor.processSeen(pid: 810)
        attributor.processSeen(pid: 810)
        #expect(attributor.counters.pidReuses == 0)
        #expect(attributor.counters.containersResolved == 1)
    }

    @Test func sweepDropsExitedProcessWhosePidWasReusedLater() {
        proc.add(pid: 920, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 920, ppid: 1)
        proc.remove(pid: 920)
        attributor.collectExits()
        proc.add(pid: 920, ppid: 1, startTime: 30, cgroup: Self.hostCgroup)
        attributor.sweep()
        #expect(attributor.counters.pidReuses == 1)
        #expect(attributor.cachedProcesses == 0)
        #expect(attributor.attribute(pid: 920, ppid: 1) == .host)
    }

    @Test func sweepLeavesWatchedLiveProcessesUnread() {
        let attributor = makeAttributor()
        for pid in Int32(940)..<948 {
            proc.add(pid: pid, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
            _ = attributor.attribute(pid: pid, ppid: 1)
        }
        let reads = proc.reads
        attributor.sweep()
        #expect(proc.reads == reads)
    }

    @Test func processCacheIsBoundedWithEviction() {
        let attributor = makeAttributor { $0.processCapacity = 4 }
        for pid in Int32(1_000)..<1_010 {
            proc.add(pid: pid, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
            _ = attributor.attribute(pid: pid, ppid: 1)
        }
        #expect(attributor.cachedProcesses == 4)
        #expect(attributor.counters.processesEvicted == 6)
        // An evicted process still alive is simply read again.
        #expect(attributor.attribute(pid: 1_000, ppid: 1) == .host)
    }

    @Test func recentlyUsedProcessSurvivesEviction() {
        let attributor = makeAttributor { $0.processCapacity = 4 }
        proc.add(pid: 1, ppid: 0, startTime: 1, cgroup: Self.hostCgroup)
        for pid in Int32(2_000)..<2_020 {
            proc.add(pid: pid, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
            _ = attributor.attribute(pid: pid, ppid: 1)
            _ = attributor.attribute(pid: 1, ppid: 0)
        }
        let reads = proc.reads
        _ = attributor.attribute(pid: 1, ppid: 0)
        #expect(proc.reads == reads)
    }

    @Test func containerStartedLaterIsResolvedOnItsFirstEvent() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let attributor = makeAttributor(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []))
        proc.add(pid: 1100, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        _ = attributor.attribute(pid: 1100, ppid: 1)
        try addPodmanContainer(id: TestIDs.unknown, image: "localhost/late:2", to: root)
        proc.add(pid: 1101, ppid: 1, startTime: 11, cgroup: "0::/libpod_parent/libpod-\(TestIDs.unknown)\n")
        #expect(attributor.attribute(pid: 1101, ppid: 1).container?.imageName == "localhost/late:2")
    }

    @Test func unresolvedContainerIsRetriedOnLaterEventsAfterTheRetryInterval() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let attributor = makeAttributor(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []))
        proc.add(pid: 1200, ppid: 1, startTime: 10, cgroup: "0::/libpod_parent/libpod-\(TestIDs.unknown)\n")
        let first = attributor.attribute(pid: 1200, ppid: 1)
        #expect(first.container?.id == TestIDs.unknown)
        #expect(first.container?.isResolved == false)
        #expect(first.container?.imageName == nil)

        try addPodmanContainer(id: TestIDs.unknown, image: "localhost/late:2", to: root)
        #expect(attributor.attribute(pid: 1200, ppid: 1).container?.imageName == nil)  // retry not due yet
        clock.advance(2)
        #expect(attributor.attribute(pid: 1200, ppid: 1).container?.imageName == "localhost/late:2")
        #expect(attributor.counters.imageUnresolved == 2)
        #expect(proc.reads == 1)
    }

    @Test func removedContainerIsEvictedAfterGrace() throws {
        let root = try temporaryCopy(ofState: "podman")
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let attributor = makeAttributor(
            roots: ContainerStateRoots(containersStorage: [root], containersRun: [], containerdTasks: [], docker: []),
            configure: { $0.removalGrace = 10 })
        proc.add(pid: 1300, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        _ = attributor.attribute(pid: 1300, ppid: 1)
        proc.remove(pid: 1300)
        try Data("[]".utf8).write(to: URL(fileURLWithPath: root + "/overlay-containers/containers.json"))

        attributor.sweep()
        #expect(attributor.knownContainers.count == 1)  // within grace: late events still named
        #expect(attributor.attribute(pid: 1300, ppid: 1).container?.id == TestIDs.podman)
        clock.advance(11)
        attributor.sweep()
        #expect(attributor.knownContainers.isEmpty)
        #expect(attributor.counters.containersEvicted == 1)
        #expect(attributor.attribute(pid: 1300, ppid: 1) == .unknown)
    }

    @Test func startUpScanFillsCacheAndListsRunningContainers() {
        proc.add(pid: 1, ppid: 0, startTime: 1, cgroup: Self.hostCgroup)
        proc.add(pid: 1400, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        proc.add(pid: 1401, ppid: 1400, startTime: 11, cgroup: Self.podmanCgroup)
        proc.add(pid: 1402, ppid: 1, startTime: 12, cgroup: Self.dockerCgroup)
        let attributor = makeAttributor()
        let containers = attributor.scanRunningProcesses()
        #expect(containers.map(\.id) == [TestIDs.podman, TestIDs.docker].sorted())
        let reads = proc.reads
        #expect(attributor.attribute(pid: 1401, ppid: 1400).container?.id == TestIDs.podman)
        #expect(attributor.attribute(pid: 1, ppid: 0) == .host)
        #expect(proc.reads == reads)
    }

    @Test func fixtureProcDirectoryListsItsPids() {
        let source = ProcFileSystem(root: TestIDs.fixtures.appendingPathComponent("proc").path)
        #expect(source.allPids().sorted() == [9664, 9675])
    }

    @Test func fixtureProcDirectoryAttributesRealPodmanProcess() {
        let attributor = Attributor(
            proc: ProcFileSystem(root: TestIDs.fixtures.appendingPathComponent("proc").path),
            resolver: ContainerResolver(roots: TestIDs.roots.value))
        #expect(attributor.attribute(pid: 9675, ppid: 9664).container?.imageName == "localhost/cgprobe:1")
        #expect(attributor.attribute(pid: 9664, ppid: 1) == .host)
        #expect(attributor.attribute(pid: 9676, ppid: 9675).container?.id == TestIDs.podman)
    }
}
