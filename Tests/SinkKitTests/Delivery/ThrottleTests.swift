import Testing

@testable import SinkKit

@Suite struct ThrottleTests {
    @Test func firstViolationPassesAndRepeatsFoldIntoOneSummaryWithCount() {
        var t = Throttle(windowMS: 1000, maxPerSecond: 0)
        #expect(t.admit(Samples.violation(serial: 1), now: 0)?.count == 1)
        for i in 2...10 { #expect(t.admit(Samples.violation(serial: UInt64(i)), now: Int64(i)) == nil) }
        #expect(t.closeWindows(now: 999).isEmpty)
        let summaries = t.closeWindows(now: 1000)
        #expect(summaries.count == 1)
        #expect(summaries.first?.count == 9)
        #expect(summaries.first?.audit.serial == 10)
        #expect(t.folded == 9)
    }

    @Test func differentExecutablesOrSyscallsAreNotFolded() {
        var t = Throttle(windowMS: 1000, maxPerSecond: 0)
        var other = Samples.violation(executable: "/bin/other")
        #expect(t.admit(Samples.violation(), now: 0) != nil)
        #expect(t.admit(other, now: 1) != nil)
        other.syscall.name = "mount"
        #expect(t.admit(other, now: 2) != nil)
    }

    @Test func rateCapHoldsBackButCountsForTheSummary() {
        var t = Throttle(windowMS: 500, maxPerSecond: 2)
        var passed = 0
        for i in 0..<5 {
            var v = Samples.violation(executable: UntrustedBytes("/bin/x\(i)"))
            v.audit.serial = UInt64(i)
            if t.admit(v, now: 10) != nil { passed += 1 }
        }
        #expect(passed == 2)
        let summaries = t.closeWindows(now: 600)
        #expect(summaries.map(\.count) == [1, 1, 1])
    }

    @Test func windowZeroDisablesFolding() {
        var t = Throttle(windowMS: 0, maxPerSecond: 0)
        #expect(t.admit(Samples.violation(), now: 0) != nil)
        #expect(t.admit(Samples.violation(), now: 0) != nil)
    }
}
