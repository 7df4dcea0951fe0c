import Testing
@testable import ContainerKit

/// A reused pid never keeps the old process's answer, through the path the live
/// agent takes: ``Attributor/collectExits()`` once per batch, then
/// ``Attributor/attribute(pid:ppid:)`` per event (no `processSeen`, no sweep).
struct AttributorPidReuseTests {
    static let podmanCgroup = AttributorTests.podmanCgroup
    static let hostCgroup = AttributorTests.hostCgroup

    let proc = InMemoryProcSource()

    func makeAttributor(capacity: Int = 65_536) -> Attributor {
        var configuration = Attributor.Configuration()
        configuration.processCapacity = capacity
        return Attributor(
            proc: proc, resolver: ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0),
            configuration: configuration)
    }

    @Test func hostPidReusedByAContainerProcessIsAttributedToTheContainer() {
        proc.add(pid: 800, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 800, ppid: 1) == .host)
        proc.remove(pid: 800)
        proc.add(pid: 800, ppid: 1, startTime: 99, cgroup: Self.podmanCgroup)
        attributor.collectExits()  // the next batch begins
        #expect(attributor.attribute(pid: 800, ppid: 1).container?.id == TestIDs.podman)
        #expect(attributor.counters.pidReuses == 1)
        #expect(attributor.cachedKey(pid: 800) == ProcessKey(pid: 800, startTime: 99))
    }

    @Test func containerPidReusedByAHostProcessIsHost() {
        proc.add(pid: 810, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 810, ppid: 1).container != nil)
        proc.remove(pid: 810)
        proc.add(pid: 810, ppid: 1, startTime: 20, cgroup: Self.hostCgroup)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 810, ppid: 1) == .host)
    }

    @Test func pidReusedWithinOneClockTickIsStillAnotherProcess() {
        // Start times count USER_HZ ticks: a pid reused within 10 ms shows the same one.
        proc.add(pid: 815, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 815, ppid: 1) == .host)
        proc.remove(pid: 815)
        proc.add(pid: 815, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 815, ppid: 1).container?.id == TestIDs.podman)
    }

    @Test func withoutExitWatchesEveryUseChecksTheStartTime() {
        proc.canWatchExits = false
        proc.add(pid: 820, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 820, ppid: 1) == .host)
        #expect(attributor.attribute(pid: 820, ppid: 1) == .host)
        #expect(attributor.counters.unwatched == 1)
        proc.remove(pid: 820)
        proc.add(pid: 820, ppid: 1, startTime: 30, cgroup: Self.podmanCgroup)
        // No exit is ever collected: the per-use check alone finds the new process.
        #expect(attributor.attribute(pid: 820, ppid: 1).container?.id == TestIDs.podman)
        #expect(attributor.counters.pidReuses == 1)
    }

    @Test func lateEventsOfAnExitedProcessKeepItsAnswerWhileThePidIsFree() {
        proc.add(pid: 830, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 830, ppid: 1)
        proc.remove(pid: 830)
        attributor.collectExits()
        #expect(attributor.counters.exitsSeen == 1)
        #expect(attributor.attribute(pid: 830, ppid: 1).container?.id == TestIDs.podman)
        #expect(attributor.counters.misses == 1)
    }

    @Test func entryDerivedFromTheParentIsDroppedWhenThePidLivesAgain() {
        proc.add(pid: 840, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        #expect(attributor.attribute(pid: 841, ppid: 840).container?.id == TestIDs.podman)
        proc.add(pid: 841, ppid: 1, startTime: 40, cgroup: Self.hostCgroup)
        attributor.collectExits()
        #expect(attributor.attribute(pid: 841, ppid: 1) == .host)
    }

    @Test func exitCollectedBeforeTheBatchStopsTheFastPathForThatPidOnly() {
        proc.add(pid: 850, ppid: 1, startTime: 10, cgroup: Self.podmanCgroup)
        proc.add(pid: 851, ppid: 1, startTime: 11, cgroup: Self.podmanCgroup)
        let attributor = makeAttributor()
        _ = attributor.attribute(pid: 850, ppid: 1)
        _ = attributor.attribute(pid: 851, ppid: 1)
        proc.remove(pid: 850)
        attributor.collectExits()
        let reads = proc.reads
        _ = attributor.attribute(pid: 851, ppid: 1)
        #expect(proc.reads == reads)
    }

    @Test func evictedProcessesStopBeingWatched() {
        let attributor = makeAttributor(capacity: 4)
        for pid in Int32(860)..<870 {
            proc.add(pid: pid, ppid: 1, startTime: 10, cgroup: Self.hostCgroup)
            _ = attributor.attribute(pid: pid, ppid: 1)
        }
        #expect(attributor.cachedProcesses == 4)
        #expect(proc.watchedCount == 4)
    }
}
