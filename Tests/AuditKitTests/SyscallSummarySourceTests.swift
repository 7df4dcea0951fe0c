import AuditKit
import Testing

/// A summary says which record it was read from and, for a seccomp filter's
/// record, the filter's `code`. Records captured on this kernel from podman +
/// runc containers (SCMP_ACT_LOG for clock_nanosleep, SCMP_ACT_KILL_PROCESS for uname).
struct SyscallSummarySourceTests {
    @Test func seccompRecordGivesItsTypeAndTheFiltersCode() throws {
        let codes = try withRecords(ofFixture: "seccomp/captured-log-and-kill.log") { records throws in
            try records.map { record throws in
                let summary = try SyscallSummary(record)
                #expect(summary.recordType == .seccomp)
                return summary.code
            }
        }
        #expect(codes == [0x7FFC_0000, 0x8000_0000])
    }

    @Test func seccompRecordHasNoPpidSuccessOrExit() throws {
        try withRecords(ofFixture: "seccomp/captured-log-and-kill.log") { records throws in
            let summary = try SyscallSummary(records[0])
            #expect(summary.ppid == nil)
            #expect(summary.success == nil)
            #expect(summary.exit == nil)
            #expect(summary.syscall == 230)
        }
    }

    @Test func syscallRecordGivesItsTypeAndNoCode() throws {
        let line = #"type=SYSCALL msg=audit(1795934548.414:25315759): arch=c000003e syscall=16 success=no exit=-25 a0=2 a1=5413 a2=7ffd78c12820 a3=8 items=0 ppid=11901 pid=11903 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="capture-any.sh" exe="/usr/bin/bash" key="all""#
        try withRecord(line) { record throws in
            let summary = try SyscallSummary(record)
            #expect(summary.recordType == .syscall)
            #expect(summary.code == nil)
            #expect(summary.ppid == 11901)
        }
        // The general tokeniser (fields out of kernel order) says the same.
        try withRecord("type=SYSCALL msg=audit(1.000:1): pid=3 arch=c000003e syscall=16 success=no exit=-25") { record throws in
            let summary = try SyscallSummary(record)
            #expect(summary.recordType == .syscall)
            #expect(summary.code == nil)
        }
    }

    @Test func aQuotedOrNonHexCodeIsNotACode() throws {
        try withRecord(#"type=SECCOMP msg=audit(1.000:9): pid=1 syscall=1 code="0x7ffc0000""#) { record throws in
            #expect(try SyscallSummary(record).code == nil)
        }
        try withRecord("type=SECCOMP msg=audit(1.000:9): pid=1 syscall=1 code=0xzz") { record throws in
            #expect(try SyscallSummary(record).code == nil)
        }
    }
}
