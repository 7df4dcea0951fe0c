import Testing

@testable import SinkKit

/// JSON's display text copies eight plain bytes at a time; a byte that needs
/// a look of its own, at any place in the eight, is escaped as one at a time.
@Suite struct DisplayTextWordTests {
    /// JSON's escaping without the eight-byte path: the reference.
    enum BytewiseJSON: ByteEscaper {
        static var doublesBackslash: Bool { JSONFormatter.Escaper.doublesBackslash }
        static func needsEscape(_ b: UInt8) -> Bool { JSONFormatter.Escaper.needsEscape(b) }
        static func escape(_ b: UInt8, into out: inout [UInt8]) { JSONFormatter.Escaper.escape(b, into: &out) }
    }

    func display<E: ByteEscaper>(_ bytes: [UInt8], _: E.Type) -> [UInt8] {
        var out: [UInt8] = []
        DisplayText.write(bytes, into: &out, E.self)
        return out
    }

    @Test(arguments: [0x00, 0x1F, 0x20, 0x22, 0x5C, 0x7E, 0x7F, 0x80, 0xC2, 0xE2, 0xFF] as [UInt8])
    func aSpecialByteAnywhereInTheWordsIsEscapedAsAlone(special: UInt8) {
        for length in [8, 9, 15, 16, 17, 24] {
            for position in 0..<length {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                bytes[position] = special
                #expect(
                    display(bytes, JSONFormatter.Escaper.self) == display(bytes, BytewiseJSON.self),
                    "byte \(special) at \(position) of \(length)")
            }
        }
    }

    @Test func aRunOfPlainWordsIsCopiedUnchanged() {
        let text = Array("container-0123456789abcdef/usr/bin/storm ~{}|".utf8)
        #expect(display(text, JSONFormatter.Escaper.self) == text)
    }

    @Test func wordTestsFindEveryByteTheyLookFor() {
        for byte in 0...255 {
            var word: UInt64 = 0x6161_6161_6161_6161  // "aaaaaaaa"
            for shift in stride(from: 0, to: 64, by: 8) {
                word = 0x6161_6161_6161_6161 & ~(0xFF << UInt64(shift)) | (UInt64(byte) << UInt64(shift))
                let plain = byte >= 0x20 && byte <= 0x7E && byte != 0x5C
                #expect(ByteWord.isPrintableWithoutBackslash(word) == plain, "byte \(byte) at bit \(shift)")
                #expect(ByteWord.contains(word, UInt8(byte)), "byte \(byte) at bit \(shift)")
            }
            _ = word
        }
    }
}
