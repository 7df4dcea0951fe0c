@testable import AuditKit
import Foundation
import Testing
import TestSupport

/// The SYSCALL fast path reads the kernel's field layout by position; every
/// record it accepts must summarise exactly as the general tokeniser does, and
/// every record off that layout must be left to the general tokeniser.
@Suite struct SyscallSummaryKernelOrderTests {
    /// The summary by the fast path alone, or nil when it declines.
    static func fast(_ record: AuditRecord) -> SyscallSummary? {
        var summary = SyscallSummary()
        summary.recordType = record.type
        return summary.parseKernelOrder(record) ? summary : nil
    }

    /// The summary by the general tokeniser alone (with the record's type,
    /// as `SyscallSummary.init` sets it).
    static func general(_ record: AuditRecord) throws -> SyscallSummary {
        var summary = SyscallSummary()
        summary.recordType = record.type
        try summary.parseAnyOrder(record)
        return summary
    }

    /// Every field of a summary, text fields as key, value, quoting and record type.
    static func describe(_ s: SyscallSummary) -> String {
        func text(_ f: AuditField?) -> String {
            f.map { "\($0.key.string)=\($0.value.bytes)/\($0.quoting)/\($0.recordType)" } ?? "nil"
        }
        return "\(String(describing: s.recordType)) \(String(describing: s.arch)) \(String(describing: s.syscall)) "
            + "\(String(describing: s.success)) \(String(describing: s.exit)) \(String(describing: s.ppid)) "
            + "\(String(describing: s.pid)) \(String(describing: s.auid)) \(String(describing: s.uid)) "
            + "\(text(s.comm)) \(text(s.exe)) \(text(s.key)) \(String(describing: s.code))"
    }

    static let kernelLine =
        #"type=SYSCALL msg=audit(1795934548.298:25315734): arch=c000003e syscall=44 success=yes exit=60 a0=3 a1=7ffdaa1ace30 a2=3c a3=0 items=0 ppid=11903 pid=11959 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="auditd" exe="/usr/sbin/auditd" key=(null)"#

    /// The fixtures captured from the kernel (the other assembly fixtures
    /// are written by hand, with short SYSCALL bodies).
    @Test func everyCapturedSyscallRecordTakesTheFastPathAndAgrees() throws {
        var seen = 0
        for name in try Fixtures.names(in: "records") + ["assembly/interleaved.log"] where name.hasSuffix(".log") {
            try withRecords(ofFixture: name) { records throws in
                for record in records where record.type == .syscall {
                    let fast = try #require(Self.fast(record), "\(name): \(record.body.string)")
                    #expect(Self.describe(fast) == Self.describe(try Self.general(record)), "\(name)")
                    seen += 1
                }
            }
        }
        #expect(seen == 28)
    }

    /// Records the kernel could have written, outside the common case: the
    /// fast path reads them, and agrees.
    @Test(arguments: [
        ("arch=c000003e", "arch=C000003E"),  // uppercase hex: parsed, not matched as a word
        ("arch=c000003e", "arch=c00000b7"),  // aarch64
        ("arch=c000003e", "arch=40000028"),  // an architecture without a word of its own (arm)
        ("success=yes exit=60", "success=no exit=-2"),
        ("success=yes exit=60", "success=no exit=-2147483648"),  // longer than the word-wide path
        ("pid=11959", "pid=4194303"),
        ("auid=4294967295 uid=0", "auid=1000 uid=4294967294"),
        (#"comm="auditd""#, "comm=78203D792022"),  // hex-encoded comm
        ("key=(null)", #"subj=unconfined key="exec""#),
        ("key=(null)", "subj=system_u:system_r:container_t:s0:c1,c2 subj_apparmor=docker-default key=(null)"),
        // AppArmor: the profile's mode follows its name as a bare word (a real record of containerd's profile).
        ("key=(null)", "subj=cri-containerd.apparmor.d (enforce) key=(null)"),
    ])
    func kernelVariantsTakeTheFastPathAndAgree(replacing: String, with: String) throws {
        try withRecord(Self.kernelLine.replacingOccurrences(of: replacing, with: with)) { record throws in
            let fast = try #require(Self.fast(record))
            #expect(Self.describe(fast) == Self.describe(try Self.general(record)))
        }
    }

    /// Records off the kernel's layout: the fast path declines, and the
    /// summary is the general tokeniser's.
    @Test(arguments: [
        ("a1=7ffdaa1ace30", #"a1="x y""#),  // a quoted value with a space before comm
        ("a2=3c a3=0", "a2='3c a3=0'"),  // a single-quoted run swallowing a field
        (#"exe="/usr/sbin/auditd""#, #"pid=1 exe="/usr/sbin/auditd""#),  // a duplicate in the tail wins in the general path
        ("gid=0", "pid=7"),  // a duplicate in place of a skipped field
        ("success=yes exit=60 ", ""),  // no success/exit (the kernel omits them when the return is invalid)
        ("a0=3 a1", "a0=3  a1"),  // two spaces
        (#"comm="auditd""#, #"comm="audit d""#),  // a quoted value with a space
        (#"comm="auditd""#, #"comm="audit"d""#),  // text after the closing quote
        (" key=(null)", ""),  // no key
        ("key=(null)", "key=(null) extra=1"),  // a field after key
        ("items=0", "items=0 bare"),  // a token without '='
    ])
    func recordsOffTheKernelLayoutFallBackToTheGeneralTokeniser(replacing: String, with: String) throws {
        let line = Self.kernelLine.replacingOccurrences(of: replacing, with: with)
        #expect(line != Self.kernelLine)
        try withRecord(line) { record throws in
            #expect(Self.fast(record) == nil)
            #expect(Self.describe(try SyscallSummary(record)) == Self.describe(try Self.general(record)))
        }
    }

    /// A SYSCALL line cut anywhere: the fast path never reads past the body
    /// and declines or agrees.
    @Test func aRecordCutAnywhereDeclinesOrAgrees() throws {
        let bytes = Array(Self.kernelLine.utf8)
        let bodyStart = Self.kernelLine.range(of: "): ")!.upperBound.utf16Offset(in: Self.kernelLine)
        var accepted = 0
        for cut in bodyStart...bytes.count {
            try withRecords(in: Array(bytes[..<cut])) { records throws in
                let record = records[0]
                if let fast = Self.fast(record) {
                    #expect(Self.describe(fast) == Self.describe(try Self.general(record)), "cut at \(cut)")
                    accepted += 1
                }
            }
        }
        // The whole line, and cuts inside key's value, still have the layout.
        #expect(accepted >= 1)
        #expect(accepted <= "(null)".count + 1)
    }
}
