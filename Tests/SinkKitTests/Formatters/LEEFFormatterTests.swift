import Testing

@testable import SinkKit
import TestSupport

@Suite struct LEEFFormatterTests {
    @Test func headerDeclaresVersionTwoAndCaretDelimiter() throws {
        let out = String(decoding: LEEFFormatter(productVersion: "1.2").format(Samples.violation()), as: UTF8.self)
        #expect(out.hasPrefix("LEEF:2.0|callguard|callguard|1.2|syscall-not-allowed|^|devTime=2026-11-29T06:00:00.123Z^"))
    }

    @Test func attributesUseQRadarKeysWhereTheyExist() throws {
        let parsed = try #require(FormatParsers.leef(String(decoding: LEEFFormatter().format(Samples.violation()), as: UTF8.self)))
        #expect(parsed.attrs["sev"] == "7")
        #expect(parsed.attrs["cat"] == "alert")
        #expect(parsed.attrs["hostName"] == "node-1")
        #expect(parsed.attrs["userId"] == "0")
        #expect(parsed.attrs["policyName"] == "app")
        #expect(parsed.attrs["processName"] == "sh")
        #expect(parsed.attrs["processPath"] == "/bin/busybox")
        #expect(parsed.attrs["syscall"] == "ptrace")
        #expect(parsed.attrs["containerImage"] == "localhost/app:1.0")
        #expect(parsed.attrs["auditSerial"] == "456")
        #expect(parsed.attrs["count"] == "1")
    }

    @Test(arguments: Samples.hostile.map(\.label))
    func hostileProcessValuesStayInsideTheirFields(label: String) throws {
        let bytes = try #require(Samples.hostile.first { $0.label == label }).bytes
        let baseline = try #require(FormatParsers.leef(String(decoding: LEEFFormatter().format(Samples.violation()), as: UTF8.self)))
        let out = LEEFFormatter().format(Samples.violation(name: UntrustedBytes(bytes), executable: UntrustedBytes(bytes)))
        #expect(out.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        let parsed = try #require(FormatParsers.leef(String(decoding: out, as: UTF8.self)))
        #expect(parsed.header == baseline.header)
        #expect(parsed.keys == baseline.keys)
        let name = try #require(parsed.attrs["processName"])
        #expect(FormatParsers.undisplay(name) == bytes)
        #expect(parsed.attrs["sev"] == "7")
    }
}
