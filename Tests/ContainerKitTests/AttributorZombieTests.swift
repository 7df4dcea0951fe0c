import Testing
@testable import ContainerKit

/// Zombies: a container's process that exited and that its parent leaves
/// unreaped (at will) must not read as the host's.
struct AttributorZombieTests: AnnouncedAttributorSuite {
    /// What `/proc/PID/cgroup` of a zombie reads on a cgroup v1 host.
    static let zombieV1Cgroup = "9:name=systemd:/\n4:memory:/\n1:cpu:/\n"

    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    @Test func zombieWhoseCgroupReadsAsTheRootIsNotTakenForTheHost() {
        proc.add(pid: 500, ppid: 499, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.becomeZombie(pid: 500, cgroup: Self.zombieV1Cgroup)
        #expect(makeAttributor().attribute(pid: 500, ppid: 0) == .unknown)
    }

    @Test func zombieWhoseCgroupStillNamesItsContainerIsTheContainers() {
        proc.add(pid: 500, ppid: 499, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.becomeZombie(pid: 500, cgroup: AttributorTests.podmanCgroup)
        #expect(makeAttributor().attribute(pid: 500, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func announcedChildFoundAsAZombieIsItsParentsContainer() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)
        attributor.collectExits()
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        proc.becomeZombie(pid: 201, cgroup: Self.zombieV1Cgroup)
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func exitedChildAttributedThroughAZombieParentIsUnknownNotHost() {
        proc.add(pid: 600, ppid: 599, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.becomeZombie(pid: 600, cgroup: Self.zombieV1Cgroup)
        // 601, gone, names 600 as its parent in its record.
        #expect(makeAttributor().attribute(pid: 601, ppid: 600) == .unknown)
    }
}
