import Testing
@testable import ContainerKit

/// When the kernel could not queue its announcements (the agent's buffer was
/// full: another container forking in a loop), a fork that reused a pid may be
/// missing: the entry cached under that pid is then another process's, and a
/// process that made its call and exited would be answered as that one's
/// (another container's). After an overflow, no entry that is not a watched
/// live process answers for a pid that is gone.
struct AttributorAnnouncementOverflowTests: AnnouncedAttributorSuite {
    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    /// The podman container's process 200 and the docker container's 300, both cached.
    func twoContainers() -> Attributor {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.add(pid: 300, ppid: 299, startTime: 10, cgroup: AttributorTests.dockerCgroup)
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        return attributor
    }

    @Test func aPidWhoseNewForkWasLostIsNotTheAnnouncedEarlierProcesssContainer() {
        let attributor = twoContainers()
        forks.fork(child: 301, parent: 300)  // docker's child, gone at once
        attributor.collectExits()
        // The buffer overflows: 200's child got pid 301, its fork is not announced;
        // it makes its call and is reaped before its record is evaluated.
        forks.overflows += 1
        attributor.collectExits()
        #expect(attributor.attribute(pid: 301, ppid: 0).container?.id != TestIDs.docker)
        #expect(attributor.attribute(pid: 301, ppid: 0) == .unknown)
    }

    @Test func aPidWhoseNewForkWasLostIsNotTheExitedEarlierProcesssContainer() {
        let attributor = twoContainers()
        proc.add(pid: 310, ppid: 300, startTime: 11, cgroup: AttributorTests.dockerCgroup)
        #expect(attributor.attribute(pid: 310, ppid: 0).container?.id == TestIDs.docker)
        proc.remove(pid: 310)  // exits; collected below
        forks.overflows += 1  // the podman child that got 310 next is not announced, and is gone
        attributor.collectExits()
        #expect(attributor.attribute(pid: 310, ppid: 0) == .unknown)
    }

    @Test func watchedLiveProcessesKeepTheirEntriesAfterAnOverflow() {
        let attributor = twoContainers()
        let reads = attributor.counters.procReads
        forks.overflows += 1
        attributor.collectExits()
        #expect(attributor.attribute(pid: 300, ppid: 0).container?.id == TestIDs.docker)
        #expect(attributor.attribute(pid: 200, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.procReads == reads)
    }
}
