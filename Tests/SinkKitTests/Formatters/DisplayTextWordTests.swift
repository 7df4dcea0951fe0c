import Testing

@testable import SinkKit
import TestSupport

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

/// The JSON formatter writes each message into memory reserved for it: the
/// worst-escaped strings fit, and read back to the bytes they came from.
@Suite struct JSONReservedWriteTests {
    @Test func theWorstEscapedStringsFitAndReadBackExactly() throws {
        let controls = [UInt8](repeating: 0x01, count: 3000)
        let backslashes = [UInt8](repeating: UInt8(ascii: "\\"), count: 3000)
        let invisible = Array(String(repeating: "\u{202E}", count: 1000).utf8)
        var v = Samples.violation(name: UntrustedBytes(controls), executable: UntrustedBytes(backslashes))
        v.process.commandLine = UntrustedBytes(invisible)
        v.policy.file = String(repeating: "\"", count: 2000)
        v.hostName = String(repeating: "\u{7}", count: 500)
        var out: [UInt8] = Array("prefix ".utf8)
        JSONFormatter().format(v, into: &out)
        #expect(out.starts(with: Array("prefix ".utf8)))
        let object = try #require(FormatParsers.json(Array(out.dropFirst(7))))
        let exe = try #require(FormatParsers.value(object, at: "process.executable") as? String)
        #expect(FormatParsers.undisplay(exe) == backslashes)
        let name = try #require(FormatParsers.value(object, at: "process.name") as? String)
        #expect(FormatParsers.undisplay(name) == controls)
        let cmd = try #require(FormatParsers.value(object, at: "process.command_line") as? String)
        #expect(FormatParsers.undisplay(cmd) == invisible)
        #expect(FormatParsers.value(object, at: "rule.reference") as? String == String(repeating: "\"", count: 2000))
    }

    @Test func aMessageIsTheSameWrittenIntoAnEmptyOrAFilledBuffer() {
        let v = Samples.violation()
        var alone: [UInt8] = []
        JSONFormatter().format(v, into: &alone)
        var after: [UInt8] = Array(repeating: 0x41, count: 4093)
        JSONFormatter().format(v, into: &after)
        #expect(Array(after.dropFirst(4093)) == alone)
    }
}
