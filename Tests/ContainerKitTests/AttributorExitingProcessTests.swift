import Testing
@testable import ContainerKit

/// A process that has begun to exit (`PF_EXITING`) but is not a zombie yet:
/// its state still reads `R` while it tears down its address space (tens of
/// milliseconds for a few hundred MiB), and its cgroup v1 lines already read as
/// the root. A container process that makes its call and exits so, read in
/// that window, must not be the host's.
struct AttributorExitingProcessTests: AnnouncedAttributorSuite {
    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    @Test func announcedChildReadWhileExitingOnCgroupV1IsItsParentsContainerNotTheHost() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 201, parent: 200)
        attributor.collectExits()
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        proc.beginExit(pid: 201, cgroup: AttributorZombieTests.zombieV1Cgroup)
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func processFirstReadWhileExitingOnCgroupV1IsUnknownNotTheHost() {
        proc.add(pid: 500, ppid: 499, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.beginExit(pid: 500, cgroup: AttributorZombieTests.zombieV1Cgroup)
        #expect(makeAttributor().attribute(pid: 500, ppid: 0) == .unknown)
    }

    @Test func exitingProcessWhoseUnifiedLineNamesItsContainerIsTheContainers() {
        // Hybrid hosts: the v2 line keeps the path while the v1 lines read the root.
        proc.add(pid: 500, ppid: 499, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.beginExit(pid: 500, cgroup: AttributorZombieTests.zombieV1Cgroup + AttributorTests.podmanCgroup)
        #expect(makeAttributor().attribute(pid: 500, ppid: 0).container?.id == TestIDs.podman)
    }
}
