import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import SinkKit
import Testing

/// The fold stage (6): one throttle before every sink, on the pipeline's
/// thread, keyed from parsed fields.
@Suite struct FoldStageTests {
    /// A log of `count` ptrace calls by the same executable, then one by another.
    func log(repeats count: Int) -> String {
        var text = ""
        for serial in 1...count {
            text += "type=SYSCALL msg=audit(1700000000.\(100 + serial):\(serial)): arch=c000003e syscall=101 success=no exit=-1 ppid=1 pid=310 uid=0 comm=\"sh\" exe=\"/bin/busybox\" key=\"callguard\"\n"
            text += "type=EOE msg=audit(1700000000.\(100 + serial):\(serial)): \n"
        }
        let other = count + 1
        text += "type=SYSCALL msg=audit(1700000000.900:\(other)): arch=c000003e syscall=101 success=no exit=-1 ppid=1 pid=311 uid=0 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"callguard\"\n"
        text += "type=EOE msg=audit(1700000000.900:\(other)): \n"
        return text
    }

    @Test func repeatsOfAFindingFoldIntoOneSummaryAndANewFindingGoesOutAtOnce() throws {
        let (out, evaluator) = try FoldReplay.run(log(repeats: 5))
        // The first busybox call, curl at once, then at the end of the input the busybox summary.
        #expect(out.map { $0.count } == [1, 1, 4])
        #expect(out.map { String(decoding: $0.process.executable.bytes, as: UTF8.self) } == ["/bin/busybox", "/usr/bin/curl", "/bin/busybox"])
        #expect(out[2].fold?.firstSerial == 2)
        #expect(out[2].fold?.lastSerial == 5)
        #expect(out[2].audit.serial == 1, "the summary carries the first occurrence's details")
        #expect(evaluator.verdict.fold?.foldedByCause[.repeats] == 4)
        #expect(evaluator.counters.violations == 6, "every violation is counted, folded or not")
    }

    @Test func aRepeatIsCountedWithoutMakingItsViolation() {
        var emitted = 0
        let fold = Fold(Throttle(windowMS: 10_000, maxPerSecond: 0)) { _ in emitted += 1 }
        let key = Fold.Key(container: 1, arch: AuditArch.x86_64.rawValue, syscall: 101)
        var made = 0
        func violation() -> Violation {
            made += 1
            return Violation(
                timestamp: Timestamp(millisecondsSinceEpoch: 0), event: Violation.Event(severity: 7), hostName: "h",
                container: nil,
                process: Violation.Process(pid: 1, ppid: 0, name: "sh", executable: "/bin/sh", userID: "0"),
                syscall: Violation.Syscall(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1),
                policy: Violation.Policy(name: "p", file: "p.yaml"),
                audit: Violation.Audit(serial: 1, time: Timestamp(millisecondsSinceEpoch: 0)))
        }
        for serial in 1...3 {
            fold.admit(key: key, finding: 42, serial: UInt64(serial), time: Timestamp(millisecondsSinceEpoch: 0), now: 1_000, make: violation)
        }
        #expect(made == 1)
        #expect(emitted == 1)
        fold.closeWindows(now: 11_001)
        #expect(emitted == 2, "the window's summary goes out when it closes")
        #expect(made == 1)
    }

    /// A flood of one finding is counted in a run and handed to the table as
    /// one: the counts, the summary's first and last serial and time are what
    /// admitting each repeat would have left.
    @Test func aRunOfRepeatsIsCountedAsEachRepeatWouldBe() {
        var out: [Violation] = []
        let fold = Fold(Throttle(windowMS: 10_000, maxPerSecond: 0)) { out.append($0) }
        let key = Fold.Key(container: 1, arch: AuditArch.x86_64.rawValue, syscall: 101)
        let other = Fold.Key(container: 2, arch: AuditArch.x86_64.rawValue, syscall: 101)
        func violation() -> Violation {
            Violation(
                timestamp: Timestamp(millisecondsSinceEpoch: 0), event: Violation.Event(severity: 7), hostName: "h",
                container: nil,
                process: Violation.Process(pid: 1, ppid: 0, name: "sh", executable: "/bin/sh", userID: "0"),
                syscall: Violation.Syscall(name: "ptrace", number: 101, arch: "x86_64", success: false, exit: -1),
                policy: Violation.Policy(name: "p", file: "p.yaml"),
                audit: Violation.Audit(serial: 1, time: Timestamp(millisecondsSinceEpoch: 0)))
        }
        for serial in 1...6 {
            fold.admit(key: key, finding: 42, serial: UInt64(serial), time: Timestamp(millisecondsSinceEpoch: Int64(serial)), now: 1_000, make: violation)
        }
        #expect(fold.foldedByCause[.repeats] == 5, "a pending run shows in the counts")
        fold.admit(key: other, finding: 42, serial: 7, time: Timestamp(millisecondsSinceEpoch: 7), now: 1_000, make: violation)
        fold.admit(key: key, finding: 42, serial: 8, time: Timestamp(millisecondsSinceEpoch: 8), now: 1_000, make: violation)
        fold.admit(key: key, finding: 42, serial: 9, time: Timestamp(millisecondsSinceEpoch: 9), now: 1_000, make: violation)
        #expect(fold.foldedByCause[.repeats] == 7)
        fold.closeWindows(now: 11_001)
        let summary = out.first { $0.count > 1 }
        #expect(out.count == 3, "the first of each key at once, then one summary (the other key's finding had no repeat)")
        #expect(summary?.count == 7)
        #expect(summary?.fold?.firstSerial == 2)
        #expect(summary?.fold?.lastSerial == 9)
        #expect(summary?.fold?.lastTime == Timestamp(millisecondsSinceEpoch: 9))
    }
}
