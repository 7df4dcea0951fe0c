import Testing
@testable import ContainerKit

/// Attribution through the kernel's fork announcements: a process that exits
/// before its first record is evaluated, whose record (SECCOMP) names no parent.
struct AttributorProcessAnnouncementTests: AnnouncedAttributorSuite {
    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    @Test func exitedChildOfAContainerProcessIsTheContainersWithoutAParentInItsRecord() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)  // 201 makes one call and exits before the batch
        attributor.collectExits()
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
        #expect(attributor.counters.forksCached == 1)
    }

    @Test func withoutTheAnnouncementTheExitedChildIsUnknown() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 201, ppid: 0) == .unknown)
    }

    @Test func grandchildOfAContainerProcessIsTheContainersWhenItsParentExitedToo() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)
        forks.fork(child: 202, parent: 201)  // both gone before the batch
        attributor.collectExits()
        #expect(attributor.attribute(pid: 202, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func exitedChildOfAHostProcessIsNotTakenForTheHost() {
        // A runtime moves its child into a container's cgroup after creating it:
        // the parent's cgroup says nothing of where the child ran.
        proc.add(pid: 300, ppid: 1, startTime: 10, cgroup: AttributorTests.hostCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 301, parent: 300)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 301, ppid: 0) == .unknown)
        #expect(attributor.counters.forksCached == 0)
    }

    @Test func aReusedPidsForkDropsTheOldProcesssContainer() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.add(pid: 300, ppid: 1, startTime: 10, cgroup: AttributorTests.hostCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)
        attributor.collectExits()
        // 201 exited; a host process's child got its pid and exited in turn.
        forks.fork(child: 201, parent: 300)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 201, ppid: 0) == .unknown)
    }

    @Test func liveAnnouncedChildIsReadFromProcAtItsFirstRecordAndNotCountedAsAReusedPid() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)
        attributor.collectExits()
        // It lives, and moved (with rights to) into the host's cgroup: its own entry decides.
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.hostCgroup)
        #expect(attributor.attribute(pid: 201, ppid: 0) == .host)
        #expect(attributor.cachedKey(pid: 201) == ProcessKey(pid: 201, startTime: 11))
        #expect(attributor.counters.pidReuses == 0)
    }

    @Test func childReadFromProcAfterItsForkKeepsItsOwnEntry() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 201, ppid: 0)  // read while alive (e.g. at start-up)
        forks.fork(child: 201, parent: 200)  // its fork, drained afterwards
        attributor.collectExits()
        #expect(attributor.cachedKey(pid: 201) == ProcessKey(pid: 201, startTime: 11))
    }

    @Test func sweepKeepsAnAnnouncedChildThatStillLives() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        proc.add(pid: 201, ppid: 200, startTime: 11, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 201, parent: 200)
        attributor.collectExits()
        attributor.sweep()
        proc.remove(pid: 201)  // exits later, before its one record is evaluated
        attributor.collectExits()
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
    }

    // MARK: - A runtime's child, read at its exec

    /// runc create (799) on the host, executing the runtime binary.
    func runcCreate() {
        proc.addFile("/usr/sbin/runc", AttributorTests.runcBinary)
        proc.add(
            pid: 799, ppid: 1, startTime: 9, comm: "runc", cgroup: AttributorTests.conmonCgroup,
            executable: AttributorTests.runcBinary, arguments: ["runc", "create"])
    }

    @Test func runtimesChildIsReadAtItsExecOfTheContainersProgramAndStaysTheContainersAfterExiting() {
        runcCreate()
        let attributor = makeAttributor()
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "runc:[2:INIT]", cgroup: AttributorTests.hostCgroup)
        forks.fork(child: 800, parent: 799)
        attributor.collectExits()
        // In the container's cgroup, it executes the container's program, makes one call and exits.
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "chmod", cgroup: AttributorTests.podmanCgroup)
        forks.exec(pid: 800)
        attributor.collectExits()
        proc.remove(pid: 800)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 800, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func runtimesChildAlreadyInTheContainersCgroupIsReadAtItsForkAndStaysTheContainersAfterExiting() {
        runcCreate()
        let attributor = makeAttributor()
        // runc init, waiting for `runc start` inside the container's cgroup.
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "runc:[2:INIT]", cgroup: AttributorTests.podmanCgroup)
        forks.fork(child: 800, parent: 799)
        attributor.collectExits()
        proc.remove(pid: 800)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 800, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func runtimesChildGoneBeforeItsForkIsTakenInIsUnknown() {
        runcCreate()
        let attributor = makeAttributor()
        forks.fork(child: 800, parent: 799)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 800, ppid: 0) == .unknown)
    }

    @Test func runtimesChildStillOnTheHostAtItsFirstExecIsReadAgainAtItsNext() {
        runcCreate()
        let attributor = makeAttributor()
        forks.fork(child: 800, parent: 799)
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "runc:[0:PARENT]", cgroup: AttributorTests.hostCgroup)
        forks.exec(pid: 800)  // runc re-executing itself as runc init, not yet moved
        attributor.collectExits()
        proc.add(pid: 800, ppid: 799, startTime: 10, comm: "sh", cgroup: AttributorTests.podmanCgroup)
        forks.exec(pid: 800)
        attributor.collectExits()
        proc.remove(pid: 800)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 800, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func anExecOfAProcessNoRuntimeStartedReadsNothing() {
        proc.add(pid: 300, ppid: 1, startTime: 10, cgroup: AttributorTests.hostCgroup)
        let attributor = makeAttributor()
        forks.fork(child: 301, parent: 300)
        attributor.collectExits()
        let reads = proc.reads
        proc.add(pid: 301, ppid: 300, startTime: 11, cgroup: AttributorTests.hostCgroup)
        forks.exec(pid: 301)
        attributor.collectExits()
        #expect(proc.reads == reads)
    }

    // MARK: - Taken in only when an answer needs them

    @Test func aBatchOfWatchedLiveProcessesHitsReadsNoAnnouncements() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 200, ppid: 0)
        let drains = forks.drains
        for _ in 0..<10 {
            attributor.collectExitsDeferringAnnouncements()
            #expect(attributor.attribute(pid: 200, ppid: 0).container?.id == TestIDs.podman)
        }
        #expect(forks.drains == drains)
    }

    @Test func aDeferredBatchTakesTheAnnouncementsInBeforeAMiss() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 200, ppid: 0)
        forks.fork(child: 201, parent: 200)  // made one call and exited before the batch
        attributor.collectExitsDeferringAnnouncements()
        #expect(attributor.attribute(pid: 201, ppid: 0).container?.id == TestIDs.podman)
    }

    @Test func announcementsAreTakenInAtLeastEveryFewBatchesOfHits() {
        proc.add(pid: 200, ppid: 199, startTime: 10, cgroup: AttributorTests.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 200, ppid: 0)
        let drains = forks.drains
        for _ in 0..<Attributor.announcementBatchLimit {
            attributor.collectExitsDeferringAnnouncements()
            _ = attributor.attribute(pid: 200, ppid: 0)
        }
        #expect(forks.drains == drains + 1)
    }
}
