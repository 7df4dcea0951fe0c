import AuditKit
import Testing

@Suite struct SyscallSummaryTests {
    @Test func summaryPicksThePipelineFields() throws {
        try withRecords(ofFixture: "records/execve-event.log") { records throws in
            let summary = try SyscallSummary(records[0])
            #expect(summary.arch == .x86_64)
            #expect(summary.syscall == 59)
            #expect(summary.success == true)
            #expect(summary.exit == 0)
            #expect(summary.pid == 12036)
            #expect(summary.ppid == 11981)
            #expect(summary.uid == 0)
            #expect(summary.auid == 4_294_967_295)
            #expect(summary.comm?.decodedString == "podman")
            #expect(summary.exe?.decodedString == "/usr/bin/podman")
            #expect(summary.key?.decodedString == "exec")
        }
    }

    @Test func failedSyscallHasNegativeExit() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=5 success=no exit=-13 pid=7") { record throws in
            let summary = try SyscallSummary(record)
            #expect(summary.arch == .i386)
            #expect(summary.success == false)
            #expect(summary.exit == -13)
        }
    }

    @Test func seccompRecordGivesArchSyscallAndProcess() throws {
        let line = #"type=SECCOMP msg=audit(1.000:9): auid=0 uid=0 gid=0 ses=1 pid=4242 comm="sh" exe="/bin/busybox" sig=0 arch=c000003e syscall=101 compat=0 ip=0x7f code=0x7ffc0000"#
        try withRecord(line) { record throws in
            let summary = try SyscallSummary(record)
            #expect(summary.syscall == 101)
            #expect(summary.pid == 4242)
            #expect(summary.success == nil)
            #expect(summary.exe?.decodedString == "/bin/busybox")
        }
    }

    @Test func summaryAgreesWithTheGeneralTokeniserOnTheHexComm() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): comm=78203D792022 pid=3") { record throws in
            let summary = try SyscallSummary(record)
            #expect(summary.comm?.decodedString == record.field("comm")?.decodedString)
            #expect(summary.comm?.decodedString == "x =y \"")
        }
    }

    @Test func unbalancedQuoteIsReportedNotGuessed() throws {
        _ = try withRecord(#"type=SYSCALL msg=audit(1.000:1): pid=3 comm="abc"#) { record throws in
            #expect(throws: RecordParseError.self) { try SyscallSummary(record) }
        }
    }
}
