import Testing
import TestSupport
@testable import ContainerKit

/// Parsing `/proc/PID/stat`, including hostile `comm` values.
struct ProcStatTests {
    @Test func parsesRealStatLine() throws {
        let text = String(decoding: try Fixtures.data("proc/9675/stat"), as: UTF8.self)
        let stat = try #require(ProcStat.parse(text))
        #expect(stat == ProcStat(pid: 9675, comm: "sleep", ppid: 9664, startTime: 44533))
    }

    @Test func exitingFlagIsReadFromField9() throws {
        // 0x400104: PF_EXITING (0x4) among others; the state still reads R.
        let exiting = try #require(ProcStat.parse("4242 (big) R 77 4242 4242 0 -1 4194564 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0"))
        #expect(exiting.isExiting && !exiting.isZombie)
        let running = try #require(ProcStat.parse("4242 (big) R 77 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0"))
        #expect(!running.isExiting)
    }

    @Test func commWithParenthesesAndSpacesDoesNotShiftFields() throws {
        let text = "4242 (a) S 1 2 3) b) (c) R 77 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0"
        let stat = try #require(ProcStat.parse(text))
        #expect(stat.comm == "a) S 1 2 3) b) (c")
        #expect(stat.ppid == 77)
        #expect(stat.startTime == 987654)
    }

    @Test func truncatedLineIsRejected() {
        #expect(ProcStat.parse("4242 (sh) S 1 2") == nil)
        #expect(ProcStat.parse("") == nil)
        #expect(ProcStat.parse("x (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20") == nil)
    }
}
