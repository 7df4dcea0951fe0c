import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import SinkKit
import Testing

/// The fold's run: a flood's repeats are recognised by comparing the
/// finding's values (executable, command line, path) with the run's first,
/// byte for byte. A violation that differs in any of them by one byte is
/// another finding and goes out at once; one that differs only in what is
/// not part of a finding (comm, pid) is a repeat.
@Suite struct FoldRunRepeatTests {
    /// One ptrace event per entry: (exe, proctitle as hex or nil, comm, pid).
    func log(_ calls: [(exe: String, proctitle: String?, comm: String, pid: Int)]) -> String {
        var text = ""
        for (i, call) in calls.enumerated() {
            let serial = i + 1
            let stamp = "msg=audit(1700000000.\(100 + serial):\(serial)):"
            text += "type=SYSCALL \(stamp) arch=c000003e syscall=101 success=no exit=-1 ppid=1 pid=\(call.pid) uid=0 comm=\"\(call.comm)\" exe=\"\(call.exe)\" key=\"callguard\"\n"
            if let proctitle = call.proctitle { text += "type=PROCTITLE \(stamp) proctitle=\(proctitle)\n" }
            text += "type=EOE \(stamp) \n"
        }
        return text
    }

    func replay(_ calls: [(exe: String, proctitle: String?, comm: String, pid: Int)]) throws -> [Violation] {
        try FoldReplay.violations(of: log(calls))
    }

    @Test func anExecutableOneByteApartFromTheRunsIsANewFindingSentAtOnce() throws {
        let out = try replay([
            ("/bin/busybox", nil, "sh", 310), ("/bin/busybox", nil, "sh", 310), ("/bin/busybox", nil, "sh", 310),
            ("/bin/busyboy", nil, "sh", 310),
            ("/bin/busybox", nil, "sh", 310), ("/bin/busybox", nil, "sh", 310),
        ])
        #expect(out.map { String(decoding: $0.process.executable.bytes, as: UTF8.self) } == ["/bin/busybox", "/bin/busyboy", "/bin/busybox"])
        #expect(out.map(\.count) == [1, 1, 4])
    }

    @Test func aCommandLineOneByteApartFromTheRunsIsANewFinding() throws {
        // proctitle "sh -c a" and "sh -c b", hex-encoded as the kernel writes a title with spaces.
        let a = "7368002D630061", b = "7368002D630062"
        let out = try replay([("/bin/busybox", a, "sh", 310), ("/bin/busybox", a, "sh", 310), ("/bin/busybox", b, "sh", 310)])
        #expect(out.map(\.count) == [1, 1, 1], "the first, the new command line at once, then the first's summary")
        #expect(out.map(\.audit.serial) == [1, 3, 1])
    }

    @Test func aRepeatThatDiffersOnlyInCommAndPidFoldsIntoTheRun() throws {
        let out = try replay([
            ("/bin/busybox", nil, "sh", 310), ("/bin/busybox", nil, "sh", 310),
            ("/bin/busybox", nil, "renamed", 311), ("/bin/busybox", nil, "x", 312),
        ])
        #expect(out.map(\.count) == [1, 3])
        #expect(out.last?.fold?.lastSerial == 4)
    }
}
