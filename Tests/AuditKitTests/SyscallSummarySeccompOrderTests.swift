@testable import AuditKit
import Foundation
import Testing
import TestSupport

/// The SECCOMP fast path reads the kernel's field layout (`__audit_seccomp`)
/// by position; every record it accepts must summarise exactly as the
/// general tokeniser does, and every record off that layout must be left to
/// the general tokeniser. Summaries are compared with
/// ``SyscallSummaryKernelOrderTests/describe(_:)`` (every field, text fields'
/// bytes, quoting and record type).
@Suite struct SyscallSummarySeccompOrderTests {
    typealias Shared = SyscallSummaryKernelOrderTests

    /// The summary by the SECCOMP fast path alone, or nil when it declines.
    static func fast(_ record: AuditRecord) -> SyscallSummary? {
        var summary = SyscallSummary()
        summary.recordType = record.type
        return summary.parseSeccompOrder(record) ? summary : nil
    }

    /// What `SyscallSummary.init` and the general tokeniser alone make of
    /// `record`: each summary described, or its error.
    static func outcomes(_ record: AuditRecord) -> (summary: String, general: String) {
        func run(_ body: () throws -> SyscallSummary) -> String {
            do { return Shared.describe(try body()) } catch { return "\(error)" }
        }
        return (run { try SyscallSummary(record) }, run { try Shared.general(record) })
    }

    /// A SECCOMP record this machine's kernel (6.18) wrote (an action logged, SECCOMP_RET_LOG).
    static let kernelLine =
        #"type=SECCOMP msg=audit(1796639231.471:26385625): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=11753 comm="busybox" exe="/bin/busybox" sig=0 arch=c000003e syscall=230 compat=0 ip=0x4bfde3 code=0x7ffc0000"#

    /// The SECCOMP records captured from the kernel: from a podman
    /// container's log and kill actions, and from the kernel log (hex-encoded
    /// comm and exe, a deleted executable, a UTF-8 comm, an errno action);
    /// and the assembly fixtures'.
    @Test func everyCapturedSeccompRecordTakesTheFastPathAndAgrees() throws {
        var seen = 0
        let names = try Fixtures.names(in: "seccomp") + ["assembly/seccomp-lone.log", "assembly/seccomp-then-syscall.log"]
        for name in names where name.hasSuffix(".log") {
            try withRecords(ofFixture: name) { records throws in
                for record in records where record.type == .seccomp {
                    let fast = try #require(Self.fast(record), "\(name): \(record.body.string)")
                    #expect(Shared.describe(fast) == Shared.describe(try Shared.general(record)), "\(name)")
                    seen += 1
                }
            }
        }
        #expect(seen == 11)
    }

    /// The summary holds the SECCOMP record's own fields and nothing of a
    /// SYSCALL record's.
    @Test func aSeccompSummaryHoldsTheSeccompFieldsAndNoSyscallOnes() throws {
        try withRecord(Self.kernelLine) { record throws in
            let summary = try #require(Self.fast(record))
            #expect(summary.recordType == .seccomp)
            #expect(summary.auid == 4_294_967_295 && summary.uid == 0 && summary.pid == 11753)
            #expect(summary.comm?.value.string == "busybox" && summary.comm?.quoting == .double)
            #expect(summary.exe?.value.string == "/bin/busybox" && summary.exe?.recordType == .seccomp)
            #expect(summary.arch == .x86_64 && summary.syscall == 230 && summary.code == 0x7ffc_0000)
            #expect(summary.ppid == nil && summary.exit == nil && summary.success == nil && summary.key == nil)
        }
    }

    /// Records the kernel could have written, outside the common case: the
    /// fast path reads them, and agrees.
    @Test(arguments: [
        (#"exe="/bin/busybox""#, "exe=(null)"),  // a task without an mm (a kernel thread)
        (#"comm="busybox""#, "comm=6120622263"),  // hex-encoded comm (`a b"c`)
        (#"exe="/bin/busybox""#, "exe=2F62696E2F6275737920626F78"),  // hex-encoded exe with a space
        ("ses=4294967295", "ses=4294967295 subj=unconfined"),  // one LSM
        ("ses=4294967295", "ses=4294967295 subj=system_u:system_r:container_t:s0:c1,c2 subj_apparmor=docker-default"),
        // AppArmor writes the profile's mode after its name, a bare word
        // (the general tokeniser skips it): every record of a confined container on an AppArmor host.
        ("ses=4294967295", "ses=4294967295 subj=cri-containerd.apparmor.d (enforce)"),
        ("ses=4294967295", "ses=4294967295 subj=containers-default-0.50.1 (complain)"),
        ("ses=4294967295", "ses=4294967295 subj=? subj_apparmor=docker-default (enforce) subj_selinux=x"),
        ("arch=c000003e syscall=230 compat=0", "arch=40000003 syscall=1 compat=1"),  // i386 on x86_64
        ("arch=c000003e", "arch=c00000b7"),  // aarch64
        ("arch=c000003e", "arch=C000003E"),  // uppercase hex: parsed, not matched as a word
        ("sig=0", "sig=31"),
        ("code=0x7ffc0000", "code=0x80000000"),  // kill process
        ("code=0x7ffc0000", "code=0x50000"),  // errno
        ("code=0x7ffc0000", "code=0x0"),  // kill thread
        ("code=0x7ffc0000", "code=7FFC0000"),  // no 0x, uppercase: hexadecimal all the same
        ("code=0x7ffc0000", "code=0x7FFC0000"),  // uppercase: parsed, not matched as a word
        ("code=0x7ffc0000", "code=0X80000000"),
        ("auid=4294967295 uid=0", "auid=1000 uid=4294967294"),
        ("auid=4294967295", "auid=4294967296"),  // past 32 bits: nil both ways
        ("pid=11753", "pid=4194303"),
        ("pid=11753", "pid=2147483648"),  // past Int32: nil both ways
        ("syscall=230", "syscall=12345678901"),  // past Int32: nil both ways
        ("ip=0x4bfde3", "ip=0xffffffffff600000"),
    ])
    func kernelVariantsTakeTheFastPathAndAgree(replacing: String, with: String) throws {
        let line = Self.kernelLine.replacingOccurrences(of: replacing, with: with)
        #expect(line != Self.kernelLine)
        try withRecord(line) { record throws in
            let fast = try #require(Self.fast(record))
            #expect(Shared.describe(fast) == Shared.describe(try Shared.general(record)))
            let (summary, general) = Self.outcomes(record)
            #expect(summary == general)
        }
    }

    /// Records off the kernel's layout: the fast path declines, and the
    /// summary (or error) is the general tokeniser's.
    @Test(arguments: [
        ("pid=11753 comm=\"busybox\"", "comm=\"busybox\" pid=11753"),  // fields reordered
        ("sig=0 arch=c000003e", "arch=c000003e sig=0"),
        ("ses=4294967295", "ses=4294967295 tty=pts0"),  // an extra field
        ("code=0x7ffc0000", "code=0x7ffc0000 extra=1"),  // a field after code
        (#" exe="/bin/busybox""#, ""),  // no exe= (a task whose mm has no executable)
        ("gid=0 ", ""),  // a missing field
        (" compat=0", ""),
        (#"comm="busybox""#, #"comm="busy box""#),  // a quoted value with a space
        (#"comm="busybox""#, #"comm="busy"box""#),  // text after the closing quote
        (#"exe="/bin/busybox""#, "exe='/bin/busybox"),  // an unbalanced single quote: both throw
        (#"exe="/bin/busybox""#, #"exe="/bin/busybox"#),  // an unbalanced double quote: both throw
        ("sig=0", #"sig="0""#),  // a quote where the kernel writes none
        ("sig=0", #"sig=0"x"#),
        ("ses=4294967295", #"ses=4294967295 subj="x y""#),  // a quoted subj
        ("ses=4294967295", "ses=4294967295 subj=docker-default (enforce"),  // a bare token, not a mode
        ("ses=4294967295", "ses=4294967295 subj=docker-default (en=force)"),  // a field, to the general tokeniser
        ("ses=4294967295", "ses=4294967295 subj=docker-default enforce"),
        ("ses=4294967295", "ses=4294967295 subj=docker-default (enforce) (enforce)"),
        ("code=0x7ffc0000", "code=0x7ffc0000 "),  // a trailing space
        ("gid=0 ses", "gid=0  ses"),  // two spaces
        ("syscall=230", "syscall=-1"),  // negative: not a number the summary reads
        ("pid=11753", "pid=-1"),
        ("uid=0", "uid=x"),  // a value that does not parse
        ("arch=c000003e", "arch=zz"),
        ("code=0x7ffc0000", "code=0x1ffffffff"),  // past 32 bits
        ("code=0x7ffc0000", "code=0x"),  // too short to hold a value
        ("code=0x7ffc0000", "code=xyz0000"),
        ("code=0x7ffc0000", "cod=0x7ffc0000"),  // a name off by a byte
        ("auid=", "aUid="),
    ])
    func recordsOffTheKernelLayoutFallBackToTheGeneralTokeniser(replacing: String, with: String) throws {
        let line = Self.kernelLine.replacingOccurrences(of: replacing, with: with)
        #expect(line != Self.kernelLine)
        try withRecord(line) { record throws in
            #expect(Self.fast(record) == nil)
            let (summary, general) = Self.outcomes(record)
            #expect(summary == general)
        }
    }

    /// A SECCOMP line cut anywhere: the fast path never reads past the body
    /// and declines or agrees.
    @Test func aRecordCutAnywhereDeclinesOrAgrees() throws {
        let bytes = Array(Self.kernelLine.utf8)
        let bodyStart = Self.kernelLine.range(of: "): ")!.upperBound.utf16Offset(in: Self.kernelLine)
        var accepted = 0
        for cut in bodyStart...bytes.count {
            try withRecords(in: Array(bytes[..<cut])) { records throws in
                let record = records[0]
                if let fast = Self.fast(record) {
                    #expect(Shared.describe(fast) == Shared.describe(try Shared.general(record)), "cut at \(cut)")
                    accepted += 1
                }
                let (summary, general) = Self.outcomes(record)
                #expect(summary == general, "cut at \(cut)")
            }
        }
        // The whole line, and cuts inside code's value that leave a digit after 0x.
        #expect(accepted >= 1)
        #expect(accepted <= "7ffc0000".count)
    }
}
