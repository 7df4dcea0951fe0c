import AuditKit
import Testing

/// Each kind of broken input is rejected with its reason; nothing crashes or hangs.
@Suite struct MalformedInputTests {
    static let cases: [(String, RecordParseError.Reason)] = [
        ("type=SYSCALL msg=audit(1795934548.910:253", .truncated),
        ("type=SYSCALL msg=audit(", .truncated),
        ("typo=SYSCALL msg=audit(1.000:1): x=1", .badHeader),
        ("type=SYSCALL msg=audit(1.000:1) x=1", .badHeader),
        ("type=SYSCALL mgs=audit(1.000:1): x=1", .badHeader),
        ("type=NOT_A_TYPE msg=audit(1.000:1): x=1", .unknownType),
        ("type=SYSCALL msg=audit(abc.000:1): x=1", .badTimestamp),
        ("type=SYSCALL msg=audit(1.0000:1): x=1", .badTimestamp),
        ("type=SYSCALL msg=audit(1.000:99999999999): x=1", .badTimestamp),
        ("type=SYSCALL msg=audit(1.000:-1): x=1", .badTimestamp),
    ]

    @Test(arguments: cases)
    func malformedHeaderIsRejectedWithItsReason(line: String, reason: RecordParseError.Reason) {
        #expect(parseError(Array(line.utf8))?.reason == reason)
    }

    @Test func nulByteIsRejected() {
        let line = Array("type=SYSCALL msg=audit(1.000:1): comm=\"a".utf8) + [0] + Array("b\"".utf8)
        #expect(parseError(line)?.reason == .nulByte)
    }

    @Test func recordOverTheLengthLimitIsRejected() {
        let line = Array("type=SYSCALL msg=audit(1.000:1): a=".utf8) + Array(repeating: UInt8(ascii: "A"), count: 1 << 20)
        #expect(parseError(line)?.reason == .tooLong)
    }

    @Test func emptyInputIsTruncated() {
        #expect(parseError([])?.reason == .truncated)
    }

    @Test func nonUTF8BytesInAValueAreCarriedNotRejected() throws {
        let line = Array("type=SYSCALL msg=audit(1.000:1): comm=\"".utf8) + [0xFF, 0xFE] + Array("\" pid=1".utf8)
        try withRecords(in: line) { records throws in
            let comm = try #require(records[0].field("comm"))
            #expect(comm.decodedBytes == [0xFF, 0xFE])
            #expect(comm.decodedString == "\u{FFFD}\u{FFFD}")
        }
    }

    @Test func invalidHexIsLeftAsWrittenNotDecoded() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): comm=ABG1 exe=ABC") { record throws in
            #expect(try #require(record.field("comm")).isHexEncoded == false)
            #expect(try #require(record.field("exe")).decodedString == "ABC")
        }
    }

    @Test func unbalancedQuoteStopsTheFieldIterator() throws {
        try withRecord(#"type=SYSCALL msg=audit(1.000:1): a=1 comm="x b=2"#) { record throws in
            var iterator = record.fields.makeIterator()
            #expect(iterator.next()?.key.string == "a")
            #expect(iterator.next() == nil)
            #expect(iterator.error?.reason == .unbalancedQuote)
        }
    }

    @Test func everyPrefixOfARealLineFailsCleanlyOrParses() throws {
        let line = Array(#"node=n1 type=SYSCALL msg=audit(1795934548.910:25328341): arch=c000003e comm="podman" msg='a="b"'"#.utf8)
        for length in 0...line.count {
            let prefix = Array(line.prefix(length))
            if parseError(prefix) == nil {
                try withRecords(in: prefix) { records throws in
                    var iterator = records[0].fields.makeIterator()
                    while iterator.next() != nil {}
                }
            }
        }
    }
}

extension AuditField: Equatable {
    public static func == (lhs: AuditField, rhs: AuditField) -> Bool {
        lhs.key == rhs.key && lhs.value == rhs.value && lhs.quoting == rhs.quoting
    }
}
