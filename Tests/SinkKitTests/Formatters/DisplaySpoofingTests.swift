import Testing

@testable import SinkKit
import TestSupport

/// Code points that change how the text around them is shown (issue 12 item
/// 12) never reach a message raw, in any format or field: each is written as
/// a visible escape, read back by the strict parsers, and undone losslessly.
@Suite struct DisplaySpoofingTests {
    /// Bidirectional controls, line and paragraph separators, NEL, and code
    /// points that are shown as nothing at all (zero-width, fillers, tags).
    static let spoofers: [(label: String, scalar: Unicode.Scalar, escape: String)] = [
        ("ALM", "\u{061C}", "\\xd8\\x9c"), ("LRM", "\u{200E}", "\\xe2\\x80\\x8e"), ("RLM", "\u{200F}", "\\xe2\\x80\\x8f"),
        ("LS", "\u{2028}", "\\xe2\\x80\\xa8"), ("PS", "\u{2029}", "\\xe2\\x80\\xa9"), ("LRE", "\u{202A}", "\\xe2\\x80\\xaa"),
        ("RLE", "\u{202B}", "\\xe2\\x80\\xab"), ("PDF", "\u{202C}", "\\xe2\\x80\\xac"), ("LRO", "\u{202D}", "\\xe2\\x80\\xad"),
        ("RLO", "\u{202E}", "\\xe2\\x80\\xae"), ("LRI", "\u{2066}", "\\xe2\\x81\\xa6"), ("RLI", "\u{2067}", "\\xe2\\x81\\xa7"),
        ("FSI", "\u{2068}", "\\xe2\\x81\\xa8"), ("PDI", "\u{2069}", "\\xe2\\x81\\xa9"), ("NEL", "\u{0085}", "\\xc2\\x85"),
        // Invisible code points: shown as nothing, so `/usr/bin/cu<ZWSP>rl` looks
        // like curl to the analyst while no search for curl finds it.
        ("SHY", "\u{00AD}", "\\xc2\\xad"), ("HangulChoseongFiller", "\u{115F}", "\\xe1\\x85\\x9f"),
        ("HangulJungseongFiller", "\u{1160}", "\\xe1\\x85\\xa0"), ("MVS", "\u{180E}", "\\xe1\\xa0\\x8e"),
        ("ZWSP", "\u{200B}", "\\xe2\\x80\\x8b"), ("ZWNJ", "\u{200C}", "\\xe2\\x80\\x8c"), ("ZWJ", "\u{200D}", "\\xe2\\x80\\x8d"),
        ("WJ", "\u{2060}", "\\xe2\\x81\\xa0"), ("InvisibleSeparator", "\u{2063}", "\\xe2\\x81\\xa3"),
        ("NADS", "\u{206F}", "\\xe2\\x81\\xaf"), ("HangulFiller", "\u{3164}", "\\xe3\\x85\\xa4"),
        ("BOM", "\u{FEFF}", "\\xef\\xbb\\xbf"), ("HalfwidthHangulFiller", "\u{FFA0}", "\\xef\\xbe\\xa0"),
        ("IAA", "\u{FFF9}", "\\xef\\xbf\\xb9"), ("IAT", "\u{FFFB}", "\\xef\\xbf\\xbb"),
        ("TagLatinSmallE", "\u{E0065}", "\\xf3\\xa0\\x81\\xa5"), ("CancelTag", "\u{E007F}", "\\xf3\\xa0\\x81\\xbf"),
    ]

    static func hostile(_ scalar: Unicode.Scalar) -> String { "/tmp/evil\(Character(scalar))hs.exe" }

    /// Every process-controlled field (and the runtime's names) carries the spoofer.
    static func violation(_ scalar: Unicode.Scalar) -> Violation {
        let text = hostile(scalar)
        var v = Samples.violation(name: UntrustedBytes(text), executable: UntrustedBytes(text))
        v.process.commandLine = UntrustedBytes(text)
        v.process.filePath = UntrustedBytes(text)
        v.container?.containerName = text
        v.container?.podName = text
        return v
    }

    static func checkValue(_ value: String?, _ s: (label: String, scalar: Unicode.Scalar, escape: String), field: String) {
        guard let value else {
            Issue.record("\(field) missing for \(s.label)")
            return
        }
        #expect(!value.unicodeScalars.contains(s.scalar), "\(s.label) raw in \(field)")
        #expect(value.contains(s.escape), "\(s.label) not escaped visibly in \(field): \(value)")
        #expect(FormatParsers.undisplay(value) == Array(hostile(s.scalar).utf8), "\(field) must stay lossless")
    }

    @Test(arguments: spoofers.map(\.label))
    func jsonEscapesIt(label: String) throws {
        let s = try #require(Self.spoofers.first { $0.label == label })
        let out = JSONFormatter().format(Self.violation(s.scalar))
        #expect(!String(decoding: out, as: UTF8.self).unicodeScalars.contains(s.scalar))
        let object = try #require(FormatParsers.json(out))
        let process = try #require(object["process"] as? [String: Any])
        for key in ["name", "executable", "command_line"] { Self.checkValue(process[key] as? String, s, field: "process.\(key)") }
        Self.checkValue((object["file"] as? [String: Any])?["path"] as? String, s, field: "file.path")
        Self.checkValue((object["container"] as? [String: Any])?["name"] as? String, s, field: "container.name")
        let pod = ((object["orchestrator"] as? [String: Any])?["resource"] as? [String: Any])?["name"] as? String
        Self.checkValue(pod, s, field: "orchestrator.resource.name")
    }

    @Test(arguments: spoofers.map(\.label))
    func cefEscapesIt(label: String) throws {
        let s = try #require(Self.spoofers.first { $0.label == label })
        let text = String(decoding: CEFFormatter().format(Self.violation(s.scalar)), as: UTF8.self)
        #expect(!text.unicodeScalars.contains(s.scalar))
        let parsed = try #require(FormatParsers.cef(text))
        for key in [
            "sproc", "callguardCallguardExecutable", "callguardCallguardCommandLine", "filePath",
            "callguardCallguardContainerName", "callguardCallguardKubernetesPod",
        ] {
            Self.checkValue(parsed.ext[key], s, field: key)
        }
        #expect(parsed.ext["fname"].map { FormatParsers.undisplay($0) == Array("evil\(Character(s.scalar))hs.exe".utf8) } == true)
    }

    @Test(arguments: spoofers.map(\.label))
    func leefEscapesIt(label: String) throws {
        let s = try #require(Self.spoofers.first { $0.label == label })
        let text = String(decoding: LEEFFormatter().format(Self.violation(s.scalar)), as: UTF8.self)
        #expect(!text.unicodeScalars.contains(s.scalar))
        let parsed = try #require(FormatParsers.leef(text))
        for key in ["processName", "processPath", "commandLine", "filePath", "containerName", "k8sPod"] {
            Self.checkValue(parsed.attrs[key], s, field: key)
        }
    }

    @Test func ordinaryNonASCIITextNextToTheRangesIsKept() {
        // U+2027, U+202F (narrow no-break space), U+061B, a combining acute accent,
        // an emoji, CJK and the code points just outside the escaped ranges: all visible.
        let text = "a\u{2027}b\u{202F}c\u{061B}d\u{0301}e\u{1F600}f\u{4E2D}g\u{00AC}h\u{2070}i\u{E0080}j\u{FFFC}k"
        #expect(UntrustedBytes(text).description == text)
    }
}
