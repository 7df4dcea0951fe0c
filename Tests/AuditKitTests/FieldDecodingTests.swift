import AuditKit
import Testing

@Suite struct FieldDecodingTests {
    @Test func quotedValueIsTakenAsWritten() throws {
        try withRecord(#"type=SYSCALL msg=audit(1.000:1): comm="a=b" exe="/bin/x""#) { record throws in
            let comm = try #require(record.field("comm"))
            #expect(comm.quoting == .double)
            #expect(!comm.isHexEncoded)
            #expect(comm.decodedString == "a=b")
        }
    }

    @Test func hexEncodedCommIsDecodedToItsBytes() throws {
        // The kernel hex-encodes a comm with a space, a quote or a control byte.
        try withRecord("type=SYSCALL msg=audit(1.000:1): comm=6120220A62 exe=2F746D702F782079") { record throws in
            #expect(try #require(record.field("comm")).decodedBytes == Array("a \"\nb".utf8))
            #expect(try #require(record.field("exe")).decodedString == "/tmp/x y")
        }
    }

    @Test func numericFieldsAreNeverHexDecoded() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): a0=ABCD pid=1234 arch=c000003e") { record throws in
            #expect(try #require(record.field("a0")).isHexEncoded == false)
            #expect(try #require(record.field("pid")).decimal == 1234)
            #expect(try #require(record.field("arch")).hexadecimal == 0xC000_003E)
        }
    }

    @Test func execveArgumentsAreHexDecodedButArgcIsNot() throws {
        try withRecord("type=EXECVE msg=audit(1.000:1): argc=2 a0=\"sh\" a1=6C73202F a2[0]=4142") { record throws in
            let fields = Array(record.fields)
            #expect(fields[0].isHexEncoded == false)
            #expect(fields[2].decodedString == "ls /")
            #expect(fields[3].decodedString == "AB")
        }
    }

    @Test func proctitleSplitsIntoArguments() throws {
        try withRecord("type=PROCTITLE msg=audit(1.000:1): proctitle=7368002D630065636830206869") { record throws in
            #expect(try #require(record.field("proctitle")).decodedArguments == ["sh", "-c", "ech0 hi"])
        }
    }

    @Test func nullAndUnsetAreRecognised() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): key=(null) hostname=? tty=(none)") { record throws in
            #expect(try #require(record.field("key")).isNull)
            #expect(try #require(record.field("hostname")).isUnset)
            #expect(try #require(record.field("tty")).decodedString == "(none)")
        }
    }

    @Test func userMessageNestsFieldsInSingleQuotes() throws {
        let line = #"type=USER_ACCT msg=audit(1.000:1): pid=1 uid=0 msg='op=PAM:accounting acct="o'brien" exe="/usr/bin/sudo" res=success'"#
        try withRecord(line) { record throws in
            let msg = try #require(record.field("msg"))
            #expect(msg.quoting == .single)
            let nested = Array(msg.nestedFields)
            #expect(nested.map { $0.key.string } == ["op", "acct", "exe", "res"])
            #expect(nested[1].decodedString == "o'brien")
        }
    }

    @Test func bareTokensOfAVCRecordsAreYieldedWithoutValues() throws {
        try withRecord("type=AVC msg=audit(1.000:1): avc:  denied  { read } for pid=1") { record throws in
            let fields = Array(record.fields)
            #expect(fields.prefix(5).allSatisfy { $0.quoting == .absent })
            #expect(fields.last?.key.string == "pid")
        }
    }
}
