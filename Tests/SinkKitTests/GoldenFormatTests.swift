import Foundation
import TestSupport
import Testing

@testable import SinkKit

/// Whole messages compared byte for byte with checked-in golden files
/// (`CALLGUARD_RECORD_GOLDEN=1` re-records them).
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
        return [("design", Samples.violation()), ("kubernetes", k8s), ("hostile", hostile), ("paths", withPaths)]
    }()

    @Test(arguments: ViolationFormat.allCases)
    func formatMatchesGolden(format: ViolationFormat) throws {
        let dir = Fixtures.directory().appendingPathComponent("golden")
        var produced = ""
        for c in Self.cases {
            produced += c.name + ": " + String(decoding: format.formatter(productVersion: "0.1.0").format(c.violation), as: UTF8.self) + "\n"
        }
        let url = dir.appendingPathComponent("\(format.rawValue).golden")
        if Fixtures.recordGolden {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(produced.utf8).write(to: url)
        }
        let golden = try String(decoding: Fixtures.data("golden/\(format.rawValue).golden"), as: UTF8.self)
        #expect(produced == golden)
    }
}
