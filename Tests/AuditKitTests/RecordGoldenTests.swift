import AuditKit
import Foundation
import Testing
import TestSupport

/// Every `Fixtures/records/*.log` (cut from real kernel output) parses into
/// exactly what its `.golden` file says. A test run never rewrites it; `make
/// golden` records it, explicitly.
@Suite struct RecordGoldenTests {
    static let fixtures: [String] = {
        let dir = Fixtures.directory().appendingPathComponent("records")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".log") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 4)
    }

    @Test(arguments: fixtures)
    func recordsParseAsTheGoldenFileSays(fixture: String) throws {
        let rendered = try withRecords(ofFixture: "records/\(fixture)") { records throws in
            try records.map(RecordDump.render).joined()
        }
        let golden = Fixtures.directory().appendingPathComponent("records/\(fixture).golden")
        #expect(GoldenFile.matches(rendered, golden: golden), "differs from \(golden.lastPathComponent); `make golden` records it")
    }
}
