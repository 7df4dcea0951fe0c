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

    @Test func bytesThatAreNotUTF8AreRejected() {
        // The kernel hex-encodes every byte outside 0x21...0x7E in process-controlled text.
        let line = Array("type=SYSCALL msg=audit(1.000:1): comm=\"".utf8) + [0xFF, 0xFE] + Array("\" pid=1".utf8)
        #expect(parseError(line)?.reason == .invalidUTF8)
        let overlong = Array("type=SYSCALL msg=audit(1.000:1): x=".utf8) + [0xC0, 0xAF]
        #expect(parseError(overlong)?.reason == .invalidUTF8)
        let truncated = Array("type=SYSCALL msg=audit(1.000:1): x=".utf8) + [0xE2, 0x82]
        #expect(parseError(truncated)?.reason == .invalidUTF8)
    }

    @Test func utf8NamesInEnrichedFieldsAreAccepted() throws {
        try withRecord("type=SYSCALL msg=audit(1.000:1): uid=1000 pid=1\u{1D}UID=\"jöhn\" AUID=\"小明\"") { record throws in
            let names = record.interpretedFields.map { $0.decodedString }
            #expect(names == ["jöhn", "小明"])
        }
    }

    @Test func nulAfterTheGroupSeparatorIsRejectedToo() {
        let line = Array("type=SYSCALL msg=audit(1.000:1): pid=1\u{1D}UID=\"a".utf8) + [0] + Array("\"".utf8)
        #expect(parseError(line)?.reason == .nulByte)
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

    @Test func everyPrefixOfARealLineFailsBeforeTheHeaderEndsAndParsesAfter() throws {
        let text = #"node=n1 type=SYSCALL msg=audit(1795934548.910:25328341): arch=c000003e comm="podman" msg='a="b"'"#
        let line = Array(text.utf8)
        let headerEnd = Array(text.utf8).firstIndex(of: UInt8(ascii: ")"))! + 2  // through "):"
        for length in 0...line.count {
            let prefix = Array(line.prefix(length))
            let error = parseError(prefix)
            if length < headerEnd {
                #expect(error != nil, "a prefix of \(length) bytes stops inside the header")
                continue
            }
            #expect(error == nil, "a prefix of \(length) bytes has the whole header")
            try withRecords(in: prefix) { records throws in
                var iterator = records[0].fields.makeIterator()
                var fields = 0
                while iterator.next() != nil { fields += 1 }
                #expect(fields <= length - headerEnd, "tokenising always moves forward")
            }
        }
    }
}

extension AuditField: Equatable {
    public static func == (lhs: AuditField, rhs: AuditField) -> Bool {
        lhs.key == rhs.key && lhs.value == rhs.value && lhs.quoting == rhs.quoting
    }
}
