import AuditKit
import Foundation
import PolicyKit
import TestSupport
import Testing

/// `callguard abi`'s logic: a fixture policy using _sysctl and statx judged
/// against 3.10, 4.11 and 6.1, the --since floor, and the two output formats.
@Suite struct AbiAnalyzerTests {
    func legacyPolicy() throws -> CompiledPolicy {
        let path = Fixtures.directory().appendingPathComponent("abi/legacy.yaml").path
        let result = PolicyLoader().load(paths: [path])
        let set = try #require(result.set, "\(result.diagnostics)")
        return try #require(set.policy(named: "legacy"))
    }

    func report(kernel: String, since: String? = nil) throws -> ImageAbiReport {
        let analyzer = AbiAnalyzer(
            kernel: try KernelVersion(parsing: kernel), arch: .x86_64,
            since: try since.map { (s) throws(KernelVersionError) in try KernelVersion(parsing: s) })
        return analyzer.analyze(policy: try legacyPolicy())
    }

    @Test func on3_10StatxIsMissingAndSysctlDeprecated() throws {
        let r = try report(kernel: "3.10")
        #expect(r.missing.map(\.name) == ["statx"])
        #expect(r.removed.isEmpty)
        #expect(r.deprecated.map(\.name) == ["_sysctl"])
        #expect(r.breaks)
    }

    @Test func on4_11BothArePresentAndSysctlIsAWarning() throws {
        let r = try report(kernel: "4.11")
        #expect(r.missing.isEmpty && r.removed.isEmpty)
        #expect(r.deprecated.map(\.name) == ["_sysctl"])
        #expect(!r.breaks)
        #expect(r.hasWarnings)
    }

    @Test func on6_1SysctlIsRemoved() throws {
        let r = try report(kernel: "6.1")
        #expect(r.missing.isEmpty)
        #expect(r.removed.map(\.name) == ["_sysctl"])
        #expect(r.removed.first?.number == 156)
        #expect(r.deprecated.isEmpty)
        #expect(r.breaks)
    }

    @Test func countsEverySyscallOfThePolicy() throws {
        let r = try report(kernel: "6.1")
        #expect(r.syscallCount == 4)
        #expect(r.subject == "legacy")
        #expect(r.images == ["registry.example/legacy:*"])
    }

    @Test func sinceListsWhatIsNewerThanTheFloor() throws {
        #expect(try report(kernel: "6.1", since: "3.10").newerThanFloor.map(\.name) == ["statx"])
        #expect(try report(kernel: "6.1", since: "4.11").newerThanFloor.isEmpty)
        #expect(try report(kernel: "6.1").newerThanFloor.isEmpty)
    }

    @Test func unknownNamesAreWarningsNotBreaks() {
        let analyzer = AbiAnalyzer(kernel: KernelVersion(6, 1))
        let r = analyzer.analyze(subject: "x", file: "x", images: [], syscalls: ["read", "frobnicate"])
        #expect(r.unknown.map(\.name) == ["frobnicate"])
        #expect(!r.breaks)
    }

    @Test func libauditAndKernelSpellingsCountOnce() {
        let analyzer = AbiAnalyzer(kernel: KernelVersion(6, 1))
        let r = analyzer.analyze(subject: "x", file: "x", images: [], syscalls: ["pread", "pread64"])
        #expect(r.syscallCount == 1)
    }

    @Test func tableNamesTheVerdictsAndTheTarget() throws {
        let analyzer = AbiAnalyzer(kernel: KernelVersion(3, 10))
        let text = AbiReportFormatter.table(analyzer.report(policies: [try legacyPolicy()]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("IMAGE") == true)
        #expect(
            lines.contains {
                $0.hasPrefix("legacy") && $0.contains("statx") && $0.contains("missing")
                    && $0.contains("introduced in 4.11")
            })
        #expect(lines.contains { $0.contains("_sysctl") && $0.contains("deprecated since 2.6.24; removed in 5.5") })
        #expect(lines.contains { $0.hasPrefix("legacy [registry.example/legacy:*]: BREAKS on Linux 3.10 (x86_64)") })
        #expect(lines.last?.hasPrefix("1 of 1 images would break on Linux 3.10 (x86_64)") == true)
    }

    @Test func jsonCarriesVerdictsForTools() throws {
        let analyzer = AbiAnalyzer(kernel: KernelVersion(6, 1), since: KernelVersion(3, 10))
        let json = AbiReportFormatter.json(analyzer.report(policies: [try legacyPolicy()]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["kernel"] as? String == "6.1")
        #expect(object["since"] as? String == "3.10")
        #expect(object["arch"] as? String == "x86_64")
        #expect(object["breaks"] as? Bool == true)
        let image = try #require((object["images"] as? [[String: Any]])?.first)
        let removed = try #require(image["removed"] as? [[String: Any]])
        #expect(removed.first?["name"] as? String == "_sysctl")
        #expect(removed.first?["removed"] as? String == "5.5")
        #expect(removed.first?["verdict"] as? String == "removed")
        let newer = try #require(image["newer_than_since"] as? [[String: Any]])
        #expect(newer.first?["name"] as? String == "statx")
        #expect(newer.first?["introduced"] as? String == "4.11")
    }

    @Test func jsonAlwaysHasTheSinceKey() {
        let json = AbiReportFormatter.json(AbiAnalyzer(kernel: KernelVersion(6, 1)).report(policies: []))
        #expect(json.contains("\"since\":null"))
    }
}
