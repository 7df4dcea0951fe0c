@testable import AuditKit
import Foundation
import Testing

/// What a process in a container controls in its SECCOMP (and SYSCALL) records: its
/// `comm` (prctl PR_SET_NAME, 15 bytes) and its `exe` (any file name), which
/// the kernel writes quoted when every byte is printable and neither a space
/// nor a double quote, hex-encoded (upper case) otherwise
/// (`audit_log_untrustedstring`). Every byte value, in either field, must
/// leave the kernel-order fast paths and the general tokeniser agreeing, and the
/// name must decode back to what the process chose.
@Suite struct SeccompHostileNamesTests {
    typealias Shared = SyscallSummaryKernelOrderTests

    /// `bytes` as `audit_log_untrustedstring` writes them.
    static func kernelEncoded(_ bytes: [UInt8]) -> String {
        if bytes.contains(where: { $0 == 0x22 || $0 < 0x21 || $0 > 0x7E }) {
            return bytes.map { String(format: "%02X", $0) }.joined()
        }
        return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
    }

    static func line(comm: [UInt8], exe: [UInt8]) -> String {
        "type=SECCOMP msg=audit(1796639231.471:26385625): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=11753 comm="
            + kernelEncoded(comm) + " exe=" + kernelEncoded(exe)
            + " sig=0 arch=c000003e syscall=230 compat=0 ip=0x4bfde3 code=0x7ffc0000"
    }

    @Test func everyByteInCommOrExeLeavesBothReadersAgreeingOnTheProcessChosenName() throws {
        var fast = 0
        var cases = 0
        for b in 0...255 {
            let byte = UInt8(b)
            for (comm, exe) in [
                ([byte], Array("/bin/busybox".utf8)),
                (Array("a".utf8) + [byte] + Array("=b".utf8), Array("/x".utf8) + [byte] + Array(" pid=1".utf8)),
                (Array("sh".utf8), Array("/".utf8) + [byte, byte] + Array("code=0x0".utf8)),
            ] {
                let line = Self.line(comm: comm, exe: exe)
                cases += 1
                try withRecord(line) { record throws in
                    let summary = try SyscallSummary(record)
                    #expect(Shared.describe(summary) == Shared.describe(try Shared.general(record)), "\(line)")
                    #expect(summary.comm?.decodedBytes == comm, "\(line)")
                    #expect(summary.exe?.decodedBytes == exe, "\(line)")
                    #expect(summary.syscall == 230 && summary.code == 0x7FFC_0000 && summary.pid == 11753, "\(line)")
                    if SyscallSummarySeccompOrderTests.fast(record) != nil { fast += 1 }
                }
            }
        }
        // Quoted and hex-encoded names alike take the fast path: a name cannot
        // push its record onto the slower general tokeniser.
        #expect(fast == cases)
    }

    /// The same names in a SYSCALL record (an audit rule's), whose fast path
    /// reads `comm=` and `exe=` with the same cursor.
    @Test func everyByteInCommOrExeOfASyscallRecordLeavesBothReadersAgreeing() throws {
        var fast = 0
        var cases = 0
        for b in 0...255 {
            let byte = UInt8(b)
            for (comm, exe) in [
                ([byte], Array("/bin/busybox".utf8)),
                (Array("a".utf8) + [byte] + Array("=b".utf8), Array("/x".utf8) + [byte] + Array(" key=x".utf8)),
            ] {
                let line = Shared.kernelLine
                    .replacingOccurrences(of: #"comm="auditd""#, with: "comm=" + Self.kernelEncoded(comm))
                    .replacingOccurrences(of: #"exe="/usr/sbin/auditd""#, with: "exe=" + Self.kernelEncoded(exe))
                cases += 1
                try withRecord(line) { record throws in
                    let summary = try SyscallSummary(record)
                    #expect(Shared.describe(summary) == Shared.describe(try Shared.general(record)), "\(line)")
                    #expect(summary.comm?.decodedBytes == comm, "\(line)")
                    #expect(summary.exe?.decodedBytes == exe, "\(line)")
                    #expect(summary.syscall == 44 && summary.pid == 11959 && summary.key?.isNull == true, "\(line)")
                    if Shared.fast(record) != nil { fast += 1 }
                }
            }
        }
        #expect(fast == cases)
    }
}
