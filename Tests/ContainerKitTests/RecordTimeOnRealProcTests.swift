import Foundation
import Testing
@testable import ContainerKit

#if canImport(Glibc)
import Glibc
#endif

/// A record's time against the real `/proc` and the real clocks (CLOCK_REALTIME
/// against the start times' CLOCK_BOOTTIME and USER_HZ): a process is answered
/// for records written while it runs, not for one written before it started.
struct RecordTimeOnRealProcTests {
    static func wallMillisecondsNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }

    @Test func theRealClockReadingMatchesTheRealStartTimeOfAChildJustStarted() throws {
        let proc = ProcFileSystem()
        let reading = try #require(proc.wallClock())
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["5"]
        let before = Self.wallMillisecondsNow()
        try child.run()
        let after = Self.wallMillisecondsNow()
        defer {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        let stat = try #require(proc.stat(pid: child.processIdentifier))
        // The start tick (rounded down) converted to the wall clock: within a tick of the spawn.
        let started = UInt64(reading.wallMillisecondsAtBoot) + stat.startTime * reading.millisecondsPerTick
        #expect(started + reading.millisecondsPerTick + 5 >= before, "started \(started), spawned from \(before)")
        #expect(started <= after + 5, "started \(started), spawned by \(after)")
    }

    @Test func aRealChildIsNotAnsweredForARecordWrittenBeforeItStarted() throws {
        let attributor = Attributor()
        let written = Self.wallMillisecondsNow()
        usleep(400_000)  // well beyond the margin
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["5"]
        try child.run()
        defer {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
        attributor.collectExits()
        let pid = child.processIdentifier
        #expect(attributor.attribute(pid: pid, ppid: 0, writtenAt: written) == .unknown)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
        // Its own records, written now, are answered for it (watched: the hot path).
        #expect(attributor.attribute(pid: pid, ppid: 0, writtenAt: Self.wallMillisecondsNow()) != .unknown)
        #expect(attributor.attribute(pid: pid, ppid: 0, writtenAt: Self.wallMillisecondsNow()) != .unknown)
        #expect(attributor.counters.recordsBeforeTheirProcess == 1)
    }
}
