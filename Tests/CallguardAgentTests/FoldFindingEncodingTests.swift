import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import SinkKit
import Testing

/// A finding is what the kernel's fields mean, not their bytes as written:
/// the kernel writes a value quoted when it is printable without spaces or
/// double quotes and hex-encoded otherwise, so a path or command line that
/// needed hex-encoding and one whose plain text is those very hex digits are
/// written with the same bytes. A process that first uses the hex digits as
/// a (relative) file name or as its title, and then the other, must not have
/// the second folded into the first's summary: its real path or command line
/// would never reach the SIEM.
@Suite struct FoldFindingEncodingTests {
    /// One chmod event per entry, with its PATH `name=` and PROCTITLE `proctitle=` as written.
    func replay(_ calls: [(name: String, title: String)]) throws -> [Violation] {
        var text = ""
        for (i, call) in calls.enumerated() {
            let serial = i + 1
            let stamp = "msg=audit(1700000000.\(100 + serial):\(serial)):"
            text += "type=SYSCALL \(stamp) arch=c000003e syscall=90 success=no exit=-13 ppid=1 pid=310 uid=0 comm=\"sh\" exe=\"/bin/busybox\" key=\"callguard\"\n"
            text += "type=CWD \(stamp) cwd=\"/tmp\"\n"
            text += "type=PATH \(stamp) item=0 name=\(call.name) nametype=NORMAL\n"
            text += "type=PROCTITLE \(stamp) proctitle=\(call.title)\n"
            text += "type=EOE \(stamp) \n"
        }
        return try FoldReplay.violations(of: text)
    }

    /// "/etc/sha dow", hex-encoded as the kernel writes a name with a space.
    static let hexPath = "2F6574632F73686120646F77"

    @Test func aPathThatNeededHexEncodingIsNotARepeatOfTheFileNamedByItsHexDigits() throws {
        let out = try replay([
            (name: "\"\(Self.hexPath)\"", title: "\"sh\""),  // a decoy: a relative file named by the digits
            (name: Self.hexPath, title: "\"sh\""),  // the real one
        ])
        let paths = out.map { $0.process.filePath.map { String(decoding: $0.bytes, as: UTF8.self) } }
        #expect(paths.contains("/etc/sha dow"), "the real path reached the SIEM: \(paths)")
        #expect(out.first?.count == 1)
    }

    @Test func aCommandLineThatNeededHexEncodingIsNotARepeatOfTheTitleMadeOfItsHexDigits() throws {
        // "cat\0/etc/shadow" hex-encoded, and a process whose title is those digits.
        let hexTitle = "636174002F6574632F736861646F77"
        let out = try replay([(name: "\"a\"", title: "\"\(hexTitle)\""), (name: "\"a\"", title: hexTitle)])
        let titles = out.map { $0.process.commandLine.map { String(decoding: $0.bytes, as: UTF8.self) } }
        #expect(titles.contains("cat\0/etc/shadow"), "the real command line reached the SIEM: \(titles)")
    }

    @Test func theSameNameWrittenTheSameWayIsStillARepeat() throws {
        let out = try replay([(name: Self.hexPath, title: "\"sh\""), (name: Self.hexPath, title: "\"sh\""), (name: Self.hexPath, title: "\"sh\"")])
        #expect(out.map(\.count) == [1, 2])
    }
}
