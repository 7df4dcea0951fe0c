import Foundation
import TestSupport
import Testing

@testable import SinkKit

/// Whole messages compared byte for byte with checked-in golden files. A test
/// run never rewrites them: `make golden` records them, explicitly.
@Suite struct GoldenFormatTests {
    static let cases: [(name: String, violation: Violation)] = {
        var k8s = Samples.violation()
        k8s.container = .init(id: "c1", runtime: "cri-o", imageName: "quay.io/a/b@sha256:00", podName: "p", namespace: "n", containerName: "c")
        let hostile = Samples.violation(
            name: UntrustedBytes(Array("sh|x=1\\\nCEF:0|".utf8) + [0xFF, 0x00]),
            executable: UntrustedBytes(Array("/tmp/\",\"count\":9,\"a\":\"\tsev=0^cat=x".utf8)))
        var withPaths = hostile
        withPaths.process.commandLine = UntrustedBytes(Array("sh\0-c\0echo a=b|c".utf8))
        withPaths.process.filePath = UntrustedBytes(Array("/etc/sh\nadow^x".utf8))
        var spoofed = Samples.violation(name: "sh", executable: UntrustedBytes("/tmp/evil\u{202E}hs.exe"))
        spoofed.process.commandLine = UntrustedBytes("curl x\u{2028}sev=0\u{2029}|sh\u{85}")
        var summary = withPaths
        summary.count = 4
        summary.fold = .init(
            kind: .repeats, firstSerial: 457, lastSerial: 460, firstTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_130),
            lastTime: Timestamp(millisecondsSinceEpoch: 1_795_932_000_190))
        var guarded = Samples.violation()
        guarded.profile = .init(policy: "app", digest: "sha256:" + String(repeating: "5e", count: 32), stale: true)
        var auditRule = Samples.violation()
        auditRule.source = .auditRule
        return [
            ("design", Samples.violation()), ("kubernetes", k8s), ("hostile", hostile), ("paths", withPaths),
            ("spoofed", spoofed), ("summary", summary), ("guarded", guarded),
            ("seccomp", Samples.seccompViolation()), ("seccomp-errno", Samples.seccompViolation(code: 0x0005_0001)),
            ("audit-rule", auditRule),
        ]
    }()

    @Test(arguments: ViolationFormat.allCases)
    func formatMatchesGolden(format: ViolationFormat) throws {
        let dir = Fixtures.directory().appendingPathComponent("golden")
        var produced = ""
        for c in Self.cases {
            produced += c.name + ": " + String(decoding: format.formatter(productVersion: "0.1.0").format(c.violation), as: UTF8.self) + "\n"
        }
        let url = dir.appendingPathComponent("\(format.rawValue).golden")
        #expect(GoldenFile.matches(produced, golden: url), "differs from \(url.lastPathComponent); `make golden` records it")
    }

    /// The old switch that let a test run rewrite its goldens does nothing.
    @Test func aDifferingOutputNeverRewritesTheGoldenFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let golden = URL(fileURLWithPath: dir.path + "/x.golden")
        try Data("old\n".utf8).write(to: golden)
        setenv("CALLGUARD_RECORD_GOLDEN", "1", 1)
        defer { unsetenv("CALLGUARD_RECORD_GOLDEN") }
        let recorded = URL(fileURLWithPath: dir.path + "/actual")
        #expect(!GoldenFile.matches("new\n", golden: golden, recordingInto: recorded))
        #expect(try String(contentsOf: golden, encoding: .utf8) == "old\n")
        #expect(try String(contentsOf: recorded.appendingPathComponent("x.golden"), encoding: .utf8) == "new\n")
        #expect(GoldenFile.matches("old\n", golden: golden, recordingInto: recorded))
    }
}
