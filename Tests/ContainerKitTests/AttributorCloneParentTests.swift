import Testing
@testable import ContainerKit

/// A child made with CLONE_PARENT is announced as its creator's parent's: a
/// process of one container adopted by another container's pid-namespace init
/// (a shared pid namespace), or a `podman exec` process whose parent is
/// conmon, makes children announced as the init's (or conmon's), in its own
/// cgroup. Such children are read at their fork, not taken for the parent's.
struct AttributorCloneParentTests: AnnouncedAttributorSuite {
    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    /// conmon (100) started the podman container's init (200); a docker
    /// container's process (300) shares its pid namespace and was adopted by it.
    func sharedNamespace() {
        proc.add(pid: 100, ppid: 1, startTime: 5, comm: "conmon", cgroup: AttributorTests.conmonCgroup)
        proc.add(pid: 200, ppid: 100, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.add(pid: 300, ppid: 200, startTime: 20, cgroup: AttributorTests.dockerCgroup)
    }

    @Test func aChildAnnouncedAsAnotherContainersNamespaceInitsIsItsCreatorsContainers() {
        sharedNamespace()
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        // 300 clones with CLONE_PARENT: the kernel names 200 as the parent.
        forks.fork(child: 301, parent: 200)
        proc.add(pid: 301, ppid: 200, startTime: 21, cgroup: AttributorTests.dockerCgroup)
        attributor.collectExits()
        // One call, then it exits and the init reaps it, before its record is evaluated.
        proc.remove(pid: 301)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 301, ppid: 0).container?.id == TestIDs.docker)
        #expect(attributor.counters.forksRead == 1)
    }

    @Test func onceAnInitIsSeenWithAnotherContainersChildItsGoneChildrenAreUnknownNotItsContainers() {
        sharedNamespace()
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 306, parent: 200)  // read at its fork: the docker container's
        proc.add(pid: 306, ppid: 200, startTime: 21, cgroup: AttributorTests.dockerCgroup)
        attributor.collectExits()
        // The agent falls behind: the next one is reaped before its fork is taken in.
        forks.fork(child: 307, parent: 200)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 307, ppid: 0) == .unknown)
    }

    @Test func anInitWhoseChildrenAreAllItsContainersKeepsAnsweringForItsGoneChildren() {
        proc.add(pid: 100, ppid: 1, startTime: 5, comm: "conmon", cgroup: AttributorTests.conmonCgroup)
        proc.add(pid: 200, ppid: 100, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 308, parent: 200)
        proc.add(pid: 308, ppid: 200, startTime: 21, cgroup: AttributorTests.podmanCgroup)
        attributor.collectExits()
        forks.fork(child: 309, parent: 200)  // gone before it was read
        attributor.collectExits()
        #expect(attributor.attribute(pid: 309, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func anInitWhoseAdoptedProcessIsReadIsKnownToShareItsNamespace() {
        sharedNamespace()
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()  // 300, docker's, is read with 200 as its parent
        forks.fork(child: 310, parent: 200)  // gone before it was read
        attributor.collectExits()
        #expect(attributor.attribute(pid: 310, ppid: 0) == .unknown)
    }

    @Test func aNamespaceInitFirstReadAsItsChildsParentIsKnownAsOne() {
        // 200 is read only because its child 201 made a record: its own parent
        // (conmon) is not read into the cache, but its cgroup is looked at.
        sharedNamespace()
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
        forks.fork(child: 305, parent: 200)
        proc.add(pid: 305, ppid: 200, startTime: 21, cgroup: AttributorTests.dockerCgroup)
        attributor.collectExits()
        proc.remove(pid: 305)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 305, ppid: 0).container?.id == TestIDs.docker)
    }

    @Test func aChildOfANamespaceInitFoundAsAZombieAtItsForkIsTheContainerItsCgroupNames() {
        sharedNamespace()
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 304, parent: 200)
        proc.add(pid: 304, ppid: 200, startTime: 21, cgroup: AttributorTests.dockerCgroup)
        proc.becomeZombie(pid: 304, cgroup: AttributorTests.dockerCgroup)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 304, ppid: 0).container?.id == TestIDs.docker)
    }

    @Test func aChildReadAtItsForkAsTheHostsIsNotCachedAsTheHosts() {
        // Announced before the kernel attached it to its creator's cgroup, a
        // child reads as the root: that read is not its answer.
        sharedNamespace()
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 302, parent: 200)
        proc.add(pid: 302, ppid: 200, startTime: 21, cgroup: AttributorTests.hostCgroup)
        attributor.collectExits()
        proc.remove(pid: 302)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 302, ppid: 0) != .host)
    }

    @Test func aChildOfAProcessWhoseParentIsOfItsContainerIsCachedWithoutAProcRead() {
        sharedNamespace()
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        let reads = attributor.counters.procReads
        forks.fork(child: 202, parent: 201)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 202, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.procReads == reads)
        #expect(attributor.counters.forksRead == 0)
    }

    @Test func aChildOfConmonIsReadAtItsForkAndKeepsItsContainerAfterItsReap() {
        // A `podman exec` process's CLONE_PARENT child: conmon's, in the container.
        proc.add(pid: 100, ppid: 1, startTime: 5, comm: "conmon", cgroup: AttributorTests.conmonCgroup)
        let attributor = makeAttributor()
        attributor.scanRunningProcesses()
        forks.fork(child: 400, parent: 100)
        proc.add(pid: 400, ppid: 100, startTime: 30, cgroup: AttributorTests.podmanCgroup)
        attributor.collectExits()
        proc.remove(pid: 400)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 400, ppid: 0).container?.id == TestIDs.podman)
    }
}
