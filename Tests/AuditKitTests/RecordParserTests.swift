import AuditKit
import Testing

@Suite struct RecordParserTests {
    let syscallLine =
        #"type=SYSCALL msg=audit(1795934548.910:25328341): arch=c000003e syscall=59 success=yes exit=0 ppid=11981 pid=12036 comm="podman" exe="/usr/bin/podman" key="exec""#

    @Test func logLineHeaderGivesTypeTimestampAndSerial() throws {
        try withRecord(syscallLine) { record throws in
            #expect(record.type == .syscall)
            #expect(record.id == EventID(seconds: 1_795_934_548, milliseconds: 910, serial: 25_328_341))
            #expect(record.body.string.hasPrefix("arch=c000003e syscall=59"))
            #expect(record.node.isEmpty)
            #expect(record.interpreted.isEmpty)
        }
    }

    @Test func netlinkPayloadParsesLikeTheLogLine() throws {
        let payload = Array(#"audit(1795934548.910:25328341): arch=c000003e syscall=59 success=yes"#.utf8) + [0]
        let record = try payload.withUnsafeBytes { bytes in
            try RecordParser().parseNetlink(type: .syscall, payload: bytes)
        }
        #expect(record.type == .syscall)
        #expect(record.id.serial == 25_328_341)
        #expect(record.body.count == "arch=c000003e syscall=59 success=yes".utf8.count)
    }

    @Test func netlinkEndOfEventWithEmptyBodyParses() throws {
        let payload = Array("audit(1700000000.001:7): ".utf8)
        let record = try payload.withUnsafeBytes { try RecordParser().parseNetlink(type: .endOfEvent, payload: $0) }
        #expect(record.type == .endOfEvent)
        #expect(record.body.isEmpty)
    }

    @Test func nodePrefixIsKeptApartFromTheRecord() throws {
        try withRecord("node=web-1 " + syscallLine) { record throws in
            #expect(record.node.string == "web-1")
            #expect(record.type == .syscall)
            #expect(record.id.serial == 25_328_341)
        }
    }

    @Test func enrichedFieldsFollowTheGroupSeparator() throws {
        let line = syscallLine + "\u{1D}ARCH=x86_64 SYSCALL=execve AUID=\"unset\""
        try withRecord(line) { record throws in
            #expect(record.body.string.hasSuffix(#"key="exec""#))
            let names = record.interpretedFields.map { $0.key.string }
            #expect(names == ["ARCH", "SYSCALL", "AUID"])
        }
    }

    @Test func unknownTypeNumberInBracketsIsParsed() throws {
        try withRecord("type=UNKNOWN[1499] msg=audit(1.000:1): x=1") { record throws in
            #expect(record.type.rawValue == 1499)
        }
    }

    @Test func typeNamesComeFromLibaudit() throws {
        for (name, number) in [("PATH", 1302), ("EOE", 1320), ("SECCOMP", 1326), ("USER_LOGIN", 1112), ("NETFILTER_CFG", 1325)] {
            try withRecord("type=\(name) msg=audit(1.000:1): x=1") { record throws in
                #expect(record.type.rawValue == number, "\(name)")
                #expect(record.type.name == name)
            }
        }
    }
}
