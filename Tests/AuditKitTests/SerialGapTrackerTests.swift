import AuditKit
import Testing

@Suite struct SerialGapTrackerTests {
    @Test func denseSerialsHaveNoGaps() {
        var tracker = SerialGapTracker()
        for s in UInt32(1)...10_000 { tracker.observe(s) }
        tracker.finish()
        #expect(tracker.gaps == 0)
    }

    @Test func jumpFarBeyondTheWindowCountsEveryMissingSerial() {
        var tracker = SerialGapTracker()
        tracker.observe(1)
        tracker.observe(10_002)
        tracker.finish()
        #expect(tracker.gaps == 10_000)
    }

    @Test func lateSerialWithinTheWindowFillsItsGap() {
        var tracker = SerialGapTracker()
        for s: UInt32 in [1, 2, 4, 5, 3] { tracker.observe(s) }
        tracker.finish()
        #expect(tracker.gaps == 0)
    }

    @Test func missingSerialCountsOnceItLeavesTheWindow() {
        var tracker = SerialGapTracker()
        tracker.observe(1)
        for s in UInt32(3)...UInt32(3 + SerialGapTracker.window) { tracker.observe(s) }
        #expect(tracker.gaps == 1)
    }

    @Test func counterRestartIsNotCountedAsLoss() {
        var tracker = SerialGapTracker()
        for s in UInt32(5_000_000)...5_000_010 { tracker.observe(s) }
        for s in UInt32(1)...10 { tracker.observe(s) }
        tracker.finish()
        #expect(tracker.gaps == 0)
    }

    @Test func serialHalfTheRangeAwayIsARestartNotACrash() {
        // Found by the fuzzer: a distance of exactly 2^31 overflowed Int32 negation.
        var tracker = SerialGapTracker()
        tracker.observe(4_294_967_294)
        tracker.observe(2_147_483_646)
        tracker.observe(2_147_483_647)
        tracker.finish()
        #expect(tracker.gaps == 0)
    }
}
