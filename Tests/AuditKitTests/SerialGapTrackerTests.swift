import AuditKit
import Testing
import TestSupport

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
    // MARK: - A file's serials

    /// 2,000 serials 1,000,000 apart (a forged log): jumps, and nothing claimed missing.
    @Test func fileJumpsPastTheWindowClaimNoMissingSerials() {
        var tracker = SerialGapTracker(source: .file)
        for i in UInt32(0)..<2000 { tracker.observe(1 + i * 1_000_000) }
        tracker.finish()
        #expect(tracker.gaps == 0)
        #expect(tracker.jumps == 1999)
    }

    @Test func fileSerialsMissingBetweenNeighboursWithinTheWindowAreCounted() {
        var tracker = SerialGapTracker(source: .file)
        for s: UInt32 in [100, 110, 110 + UInt32(SerialGapTracker.window), 200_000, 200_001] { tracker.observe(s) }
        tracker.finish()
        #expect(tracker.gaps == 9 + UInt64(SerialGapTracker.window - 1))
        #expect(tracker.jumps == 1)
    }

    /// Whatever a file holds, it claims at most window - 1 missing serials per serial read.
    @Test func fileClaimIsBoundedByTheWindowPerSerial() {
        var tracker = SerialGapTracker(source: .file)
        var serial: UInt32 = 7
        for _ in 0..<10_000 {
            tracker.observe(serial)
            serial &+= UInt32(SerialGapTracker.window)
        }
        tracker.finish()
        #expect(tracker.gaps == 9_999 * UInt64(SerialGapTracker.window - 1))
        #expect(tracker.jumps == 0)
    }

    @Test func fileRolloverIsNotAJump() {
        var tracker = SerialGapTracker(source: .file)
        for s: UInt32 in [UInt32.max - 1, UInt32.max, 0, 1, 3] { tracker.observe(s) }
        tracker.finish()
        #expect(tracker.gaps == 1)
        #expect(tracker.jumps == 0)
    }

    // MARK: - The window against a plain model

    /// Serials 1...n with some left out and the rest shuffled locally (well
    /// within the window): every serial left out between the first seen and
    /// the highest is a gap, in both sources, however the slide is computed.
    @Test(arguments: [SerialGapTracker.Source.kernelStream, .file], [1, 2, 3])
    func shuffledSerialsWithHolesCountExactlyTheHoles(source: SerialGapTracker.Source, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let n = 50_000
        var serials = Array(UInt32(1)...UInt32(n))
        var holes = Set<UInt32>()
        for _ in 0..<2_000 {
            let s = UInt32(2 + Int(random.next() % UInt64(n - 2)))
            holes.insert(s)
        }
        serials.removeAll { holes.contains($0) }
        // Shuffle each block of 1,000: no serial arrives 2,000 or more places
        // from where it belongs, well within the window.
        for start in stride(from: 0, to: serials.count, by: 1000) {
            let end = min(serials.count, start + 1000)
            for i in start..<end {
                serials.swapAt(i, start + Int(random.next() % UInt64(end - start)))
            }
        }
        var tracker = SerialGapTracker(source: source)
        for s in serials { tracker.observe(s) }
        tracker.finish()
        // Tracking starts at the first serial seen: earlier ones are before it.
        let first = serials.first!, last = serials.max()!
        #expect(tracker.gaps == UInt64(holes.filter { $0 > first && $0 < last }.count))
        #expect(tracker.jumps == 0)
    }

    @Test(arguments: [1, 2, 3])
    func kernelStreamCountsEveryMissingSerialOfRandomSteps(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var tracker = SerialGapTracker(source: .kernelStream)
        var serial: UInt32 = 4_294_000_000  // crosses the rollover
        var missing: UInt64 = 0
        for i in 0..<20_000 {
            tracker.observe(serial)
            let step = random.next() % 8 == 0 ? 1 + random.next() % 20_000 : 1 + random.next() % 3
            if i < 19_999 { missing += step - 1 }  // after the last serial, nothing is missing
            serial &+= UInt32(step)
        }
        tracker.finish()
        #expect(tracker.gaps == missing)
    }
}

