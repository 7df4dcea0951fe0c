import Testing
@testable import ContainerKit

/// A record is never answered for a process that started after it was written
/// (its pid reused while the agent was behind): such a record is `.unknown`,
/// neither the new process's container nor the host. Records are timed by the
/// kernel's wall clock (ms since the epoch), start times in 10 ms ticks since boot.
struct AttributorRecordTimeTests {
    static let podmanCgroup = AttributorTests.podmanCgroup
    static let dockerCgroup = AttributorTests.dockerCgroup
    static let hostCgroup = AttributorTests.hostCgroup
    /// The wall clock at boot, in ms since the epoch.
    static let boot: UInt64 = 1_780_000_000_000
    /// The tick (10 ms since boot) at which the new process took the pid.
    static let reusedAt: UInt64 = 1_000_000

    let proc = InMemoryProcSource()

    init() { proc.wallClockAtBoot = Self.boot }

    func makeAttributor() -> Attributor {
        Attributor(proc: proc, resolver: ContainerResolver(roots: TestIDs.roots.value, minReloadInterval: 0))
    }

    /// The wall-clock time (ms since the epoch) of `tick` ticks since boot.
    static func wall(_ tick: UInt64) -> UInt64 { boot + tick * 10 }

    /// Pid 900 was a podman container's process (started at tick 100) that
    /// exited unseen; docker's process (or `cgroup`'s) has it since `reusedAt`.
    func reusePid(cgroup: String = Self.dockerCgroup) {
        proc.add(pid: 900, ppid: 1, startTime: 100, cgroup: Self.podmanCgroup)
        proc.remove(pid: 900)
        proc.add(pid: 900, ppid: 1, startTime: Self.reusedAt, cgroup: cgroup)
        proc.now = Self.reusedAt + 500
    }

    @Test func recordWrittenBeforeTheWatchedProcessStartedIsUnknown() {
        reusePid()
        let attributor = makeAttributor()
        attributor.processSeen(pid: 900)  // cached and watched, e.g. read at its fork
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(200)) == .unknown)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
        #expect(attributor.counters.unattributed == 1)
    }

    @Test func recordWrittenBeforeTheProcessReadAtTheMissStartedIsUnknown() {
        reusePid()
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(200)) == .unknown)
        #expect(attributor.counters.misses == 1)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
        // The new process stays cached for its own records.
        #expect(attributor.cachedKey(pid: 900) == ProcessKey(pid: 900, startTime: Self.reusedAt))
    }

    @Test func recordWrittenAfterTheProcessStartedIsItsAsBefore() {
        reusePid()
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(Self.reusedAt + 1)).container?.id == TestIDs.docker)
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(Self.reusedAt + 2)).container?.id == TestIDs.docker)
        #expect(attributor.counters.recordsBeforeTheirProcess == 0)
    }

    @Test func recordWithinTheMarginBeforeTheStartKeepsTodaysAnswer() {
        reusePid()
        let attributor = makeAttributor()
        attributor.collectExits()
        // 90 ms before the start tick: inside the 100 ms margin (clock granularity).
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(Self.reusedAt) - 90).container?.id == TestIDs.docker)
        // Watched now: the hot path keeps the margin too.
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(Self.reusedAt) - 90).container?.id == TestIDs.docker)
        #expect(attributor.counters.recordsBeforeTheirProcess == 0)
    }

    @Test func hostProcessThatTookThePidDoesNotMakeTheRecordAHostEvent() {
        reusePid(cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(200)) == .unknown)
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: Self.wall(Self.reusedAt + 1)) == .host)
    }

    @Test func parentThatStartedAfterTheRecordDoesNotAnswerForAnExitedProcess() {
        // 901 (exited, never read) named 900 as its parent; a host process has 900 now.
        reusePid(cgroup: Self.hostCgroup)
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 901, ppid: 900, writtenAt: Self.wall(200)) == .unknown)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
    }

    @Test func withoutARecordTimeTheAnswerIsTodays() {
        reusePid()
        let attributor = makeAttributor()
        attributor.collectExits()
        #expect(attributor.attribute(pid: 900, ppid: 1).container?.id == TestIDs.docker)
    }

    @Test func recordsWrittenBeforeAForwardClockStepAreNotTakenForEarlier() {
        proc.add(pid: 900, ppid: 1, startTime: Self.reusedAt, cgroup: Self.dockerCgroup)
        proc.now = Self.reusedAt + 100
        let attributor = makeAttributor()
        attributor.collectExits()
        // Written 0.5 s after the start on the old clock; the clock then steps 10 s forward.
        let written = Self.wall(Self.reusedAt + 50)
        proc.wallClockAtBoot = Self.boot + 10_000
        attributor.collectExits()
        #expect(attributor.counters.clockSteps == 1)
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: written).container?.id == TestIDs.docker)
        #expect(attributor.counters.recordsBeforeTheirProcess == 0)
    }

    @Test func recordsWrittenAfterAForwardClockStepAreJudgedOnTheNewClock() {
        proc.add(pid: 900, ppid: 1, startTime: 100, cgroup: Self.podmanCgroup)
        proc.now = 200
        let attributor = makeAttributor()
        attributor.collectExits()
        // The clock steps 10 s forward; the next batch (at tick 300) sees it.
        proc.wallClockAtBoot = Self.boot + 10_000
        proc.now = 300
        attributor.collectExits()
        #expect(attributor.counters.clockSteps == 1)
        proc.remove(pid: 900)
        proc.add(pid: 900, ppid: 1, startTime: Self.reusedAt, cgroup: Self.dockerCgroup)
        proc.now = Self.reusedAt + 500
        attributor.collectExits()
        // Written on the new clock, a second before the new process started.
        let written = Self.boot + 10_000 + (Self.reusedAt - 100) * 10
        #expect(attributor.attribute(pid: 900, ppid: 1, writtenAt: written) == .unknown)
    }
}

/// The same for a process known only from its fork announcement (no start
/// time read): it started after the announcements were last read before its own.
struct AnnouncedAttributorRecordTimeTests: AnnouncedAttributorSuite {
    let proc = InMemoryProcSource()
    let forks = InMemoryProcessAnnouncements()
    let clock = ManualClock()

    init() { proc.wallClockAtBoot = AttributorRecordTimeTests.boot }

    /// Pid 201 was a podman process long ago; docker's 200 forked a child that
    /// got it after the announcements were read at tick `reusedAt`, and exited.
    func announceReusedPid() -> Attributor {
        proc.add(pid: 200, ppid: 1, startTime: 100, cgroup: AttributorTests.dockerCgroup)
        proc.now = AttributorRecordTimeTests.reusedAt
        let attributor = makeAttributor()
        attributor.collectExits()
        forks.fork(child: 201, parent: 200)
        proc.now = AttributorRecordTimeTests.reusedAt + 50
        attributor.collectExits()
        return attributor
    }

    @Test func recordWrittenBeforeAnAnnouncedChildTookThePidIsUnknown() {
        let attributor = announceReusedPid()
        #expect(attributor.attribute(pid: 201, ppid: 0, writtenAt: AttributorRecordTimeTests.wall(200)) == .unknown)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
    }

    @Test func announcementsTakenInWhileAnOldRecordIsAnsweredAreNotJudgedByItsTime() {
        // Docker's 300 started after the old record; its child 301 is announced,
        // and taken in at the batch's first slow answer: the old record's.
        proc.add(pid: 300, ppid: 1, startTime: AttributorRecordTimeTests.reusedAt, cgroup: AttributorTests.dockerCgroup)
        proc.now = AttributorRecordTimeTests.reusedAt + 50
        let attributor = makeAttributor()
        attributor.processSeen(pid: 300)
        forks.fork(child: 301, parent: 300)  // 301 makes one call and exits
        attributor.collectExitsDeferringAnnouncements()
        #expect(attributor.attribute(pid: 500, ppid: 0, writtenAt: AttributorRecordTimeTests.wall(200)) == .unknown)
        let written = AttributorRecordTimeTests.wall(AttributorRecordTimeTests.reusedAt + 10)
        #expect(attributor.attribute(pid: 301, ppid: 0, writtenAt: written).container?.id == TestIDs.docker)
    }

    @Test func recordOfTheAnnouncedChildItselfIsItsParentsContainer() {
        let attributor = announceReusedPid()
        let written = AttributorRecordTimeTests.wall(AttributorRecordTimeTests.reusedAt + 10)
        #expect(attributor.attribute(pid: 201, ppid: 0, writtenAt: written).container?.id == TestIDs.docker)
    }
}

/// The conversion of a record's time alone.
struct RecordClockTests {
    static let reading = WallClockReading(
        wallMillisecondsAtBoot: 1_780_000_000_000, wallMillisecondsNow: 1_780_010_000_000, millisecondsPerTick: 10)

    @Test func aRecordTimeIsTheLatestStartTickPlusTheMargin() {
        var clock = RecordClock()
        clock.refresh(Self.reading)
        // 10,000 s after boot = tick 1,000,000; the margin adds 10 ticks.
        #expect(clock.latestStart(forRecordAt: 1_780_010_000_000) == 1_000_010)
    }

    @Test func noRecordTimeNoReadingOrARecordBeforeBootSaysNothing() {
        var clock = RecordClock()
        #expect(clock.latestStart(forRecordAt: 1_780_010_000_000) == .max)
        clock.refresh(Self.reading)
        #expect(clock.latestStart(forRecordAt: 0) == .max)
        #expect(clock.latestStart(forRecordAt: 1_700_000_000_000) == .max)
        #expect(clock.latestStart(forRecordAt: .max) == .max)
    }
}
