import Testing

@testable import SinkKit
import TestSupport

@Suite struct DisplayTextTests {
    @Test func printableUTF8IsKept() {
        #expect(UntrustedBytes("/usr/bin/müll 🙂").description == "/usr/bin/müll 🙂")
    }

    @Test func backslashIsDoubledSoTheFormIsUnambiguous() {
        #expect(UntrustedBytes("a\\x41").description == "a\\\\x41")
    }

    @Test func controlBytesBecomeHexEscapes() {
        #expect(UntrustedBytes([0x61, 0x0A, 0x00, 0x7F, 0x1B]).description == "a\\x0a\\x00\\x7f\\x1b")
    }

    @Test func eachByteOfAnIllFormedSequenceIsEscaped() {
        // Truncated 3-byte sequence, overlong, surrogate, beyond U+10FFFF.
        #expect(UntrustedBytes([0xE2, 0x82]).description == "\\xe2\\x82")
        #expect(UntrustedBytes([0xC0, 0xAF]).description == "\\xc0\\xaf")
        #expect(UntrustedBytes([0xED, 0xA0, 0x80]).description == "\\xed\\xa0\\x80")
        #expect(UntrustedBytes([0xF4, 0x90, 0x80, 0x80]).description == "\\xf4\\x90\\x80\\x80")
    }

    @Test func c1ControlsAreEscaped() {
        #expect(UntrustedBytes([0xC2, 0x85]).description == "\\xc2\\x85")
    }

    @Test func bidiControlsAndSeparatorsBecomeHexEscapes() {
        #expect(UntrustedBytes("x\u{202E}y").description == "x\\xe2\\x80\\xaey")
        #expect(UntrustedBytes("x\u{2028}y\u{2029}").description == "x\\xe2\\x80\\xa8y\\xe2\\x80\\xa9")
    }

    @Test(arguments: Samples.hostile.map(\.label))
    func displayFormRoundTripsToTheOriginalBytes(label: String) throws {
        let bytes = try #require(Samples.hostile.first { $0.label == label }).bytes
        #expect(FormatParsers.undisplay(UntrustedBytes(bytes).description) == bytes)
    }
}
