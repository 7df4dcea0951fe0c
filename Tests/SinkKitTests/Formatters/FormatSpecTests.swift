import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// Every message of every sample (the goldens' cases and one with every
/// optional field) passes the strict reader written from its format's
/// published specification, with the specification's dictionary as data.
@Suite struct FormatSpecTests {
    static var samples: [(name: String, violation: Violation)] {
        GoldenFormatTests.cases + [("every field", CEFFormatterTests.everyField)]
    }

    static func text(_ f: some ViolationFormatter, _ v: Violation) -> String { String(decoding: f.format(v), as: UTF8.self) }

    @Test(arguments: samples.map(\.name))
    func cefPassesTheCEFReader(sample: String) throws {
        let v = try #require(Self.samples.first { $0.name == sample }).violation
        #expect(CEFSpecReader.problems(Self.text(CEFFormatter(), v), dictionary: SpecData.cef) == [])
    }

    @Test(arguments: samples.map(\.name))
    func leefPassesTheLEEFReader(sample: String) throws {
        let v = try #require(Self.samples.first { $0.name == sample }).violation
        #expect(LEEFSpecReader.problems(Self.text(LEEFFormatter(), v), attributes: SpecData.leef) == [])
    }

    @Test(arguments: samples.map(\.name))
    func jsonPassesTheECSReader(sample: String) throws {
        let v = try #require(Self.samples.first { $0.name == sample }).violation
        let object = try #require(FormatParsers.json(JSONFormatter().format(v)))
        #expect(ECSSpecReader.problems(object, fields: SpecData.ecs, namespace: "callguard") == [])
    }

    /// `usrName` is a user name, `policy` a user account's policy and
    /// `identHostName` an identity event's host: callguard's uid, policy and
    /// node go in custom keys.
    @Test func leefUsesPredefinedKeysOnlyForTheirMeaning() throws {
        let keys = try #require(FormatParsers.leef(Self.text(LEEFFormatter(), CEFFormatterTests.everyField))).keys
        #expect(Set(keys).isDisjoint(with: ["usrName", "policy", "identHostName"]))
        #expect(Set(keys).isSuperset(of: ["userId", "policyName", "hostName"]))
    }

    /// A policy severity of 0 is still a LEEF severity (1-10); CEF keeps 0.
    @Test func leefSeverityStaysInLEEFsRange() throws {
        var v = Samples.violation()
        v.event.severity = 0
        #expect(LEEFSpecReader.problems(Self.text(LEEFFormatter(), v), attributes: SpecData.leef) == [])
        #expect(FormatParsers.leef(Self.text(LEEFFormatter(), v))?.attrs["sev"] == "1")
    }

    /// CEF's `fname` is the file name of the syscall's path, not the executable,
    /// and is left out when the path names no file (ends in `/`).
    @Test func cefFileNameIsThePathsLastComponent() throws {
        var v = Samples.violation()
        #expect(FormatParsers.cef(Self.text(CEFFormatter(), v))?.ext["fname"] == nil)
        v.process.filePath = "/etc/shadow"
        #expect(FormatParsers.cef(Self.text(CEFFormatter(), v))?.ext["fname"] == "shadow")
        v.process.filePath = "/etc/"
        #expect(FormatParsers.cef(Self.text(CEFFormatter(), v))?.ext["fname"] == nil)
        v.process.filePath = "relative"
        #expect(FormatParsers.cef(Self.text(CEFFormatter(), v))?.ext["fname"] == "relative")
    }

    /// `callguard.*` is the only non-ECS object, and it holds all of callguard's own facts.
    @Test func jsonTopLevelIsECSPlusOneCallguardObject() throws {
        let object = try #require(FormatParsers.json(JSONFormatter().format(CEFFormatterTests.everyField)))
        #expect(Set(object.keys) == ["@timestamp", "ecs", "event", "host", "container", "orchestrator", "process", "file", "rule", "callguard"])
        #expect(FormatParsers.keyPaths(try #require(object["callguard"] as? [String: Any])) == [
            "count", "fold.first_serial", "fold.first_time", "fold.kind", "fold.last_serial",
            "profile.digest", "profile.policy", "profile.stale", "seccomp.action", "seccomp.errno", "source", "syscall.arch", "syscall.exists_on_host_kernel", "syscall.exit", "syscall.name", "syscall.number", "syscall.success",
        ])
        #expect(FormatParsers.value(object, at: "event.end") as? String == "2026-11-29T06:00:00.190Z")
        #expect(FormatParsers.value(object, at: "ecs.version") as? String == "\(JSONFormatter.ecsVersion)")
    }
}

/// The readers fail what their specification forbids (so a passing message means something).
@Suite struct SpecReaderTests {
    static let cefBase = "CEF:0|callguard|callguard|1|a|b|7|rt=1795932000123 cs1Label=x cs1=y"

    @Test func cefReaderAcceptsAMinimalMessage() {
        #expect(CEFSpecReader.problems(Self.cefBase, dictionary: SpecData.cef) == [])
    }

    @Test(arguments: [
        ("customer key", " flexString1Label=c flexString1=x"),
        ("no cs7", " cs7Label=c cs7=x"),
        ("vendor key without product", " callguardContainerRuntime=podman"),
        ("vendor key of another vendor", " acmeCallguardX=1"),
        ("label without key", " cs2Label=x"),
        ("key without label", " cs3=x"),
        ("not a Long", " cn1Label=n cn1=x"),
        ("not a time", " start=yesterday"),
        ("underscore", " callguardCallguard_x=1"),
        ("fname with a path", " fname=/bin/busybox"),
    ])
    func cefReaderRejects(rule: String, extra: String) {
        #expect(CEFSpecReader.problems(Self.cefBase + extra, dictionary: SpecData.cef) != [], "\(rule)")
    }

    @Test func cefReaderRejectsADuplicateKeyAndABadSeverity() {
        #expect(CEFSpecReader.problems(Self.cefBase + " rt=1795932000123", dictionary: SpecData.cef) != [])
        #expect(CEFSpecReader.problems("CEF:0|callguard|callguard|1|a|b|11|rt=1795932000123", dictionary: SpecData.cef) != [])
    }

    static let leefBase = "LEEF:2.0|callguard|callguard|1|e|^|devTime=2026-11-29T06:00:00.123Z^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX^sev=7"

    @Test func leefReaderAcceptsAMinimalMessageAndTheHexDelimiter() {
        #expect(LEEFSpecReader.problems(Self.leefBase, attributes: SpecData.leef) == [])
        #expect(LEEFSpecReader.problems("LEEF:2.0|v|p|1|e|x5E|sev=3^cat=a", attributes: SpecData.leef) == [])
    }

    @Test(arguments: [
        ("reused predefined name", "^Policy=x"),
        ("duplicate", "^cat=a^cat=b"),
        ("not alphanumeric", "^k8s.pod=x"),
        ("control character", "^note=a\tb"),
    ])
    func leefReaderRejects(rule: String, extra: String) {
        #expect(LEEFSpecReader.problems(Self.leefBase + extra, attributes: SpecData.leef) != [], "\(rule)")
    }

    @Test func leefReaderRejectsAnIdentityKeyWithoutIdentSrc() {
        #expect(LEEFSpecReader.problems(Self.leefBase + "^identHostName=node-1", attributes: SpecData.leef) != [])
        #expect(LEEFSpecReader.problems(Self.leefBase + "^identSrc=10.0.0.1^identHostName=node-1", attributes: SpecData.leef) == [])
    }

    @Test func leefReaderRejectsSeverityZeroAndAnUndeclaredDelimiter() {
        #expect(LEEFSpecReader.problems(Self.leefBase.replacingOccurrences(of: "sev=7", with: "sev=0"), attributes: SpecData.leef) != [])
        #expect(LEEFSpecReader.problems("LEEF:2.0|v|p|1|e|sev=3", attributes: SpecData.leef) != [])
        #expect(LEEFSpecReader.problems("LEEF:2.0|v|p|1|e|^|devTime=x", attributes: SpecData.leef) != [])
    }

    @Test(arguments: [
        ("non-ECS top level", #"{"syscall":{"name":"x"}}"#),
        ("removed ECS field", #"{"process":{"ppid":1}}"#),
        ("keyword as number", #"{"process":{"user":{"id":0}}}"#),
        ("long as string", #"{"process":{"pid":"1"}}"#),
        ("array field single", #"{"event":{"category":"process"}}"#),
        ("value not allowed", #"{"event":{"kind":"violation"}}"#),
        ("date not ISO", #"{"@timestamp":"yesterday"}"#),
        ("boolean as number", #"{"callguard":{},"event":{"outcome":true}}"#),
    ])
    func ecsReaderRejects(rule: String, json: String) throws {
        let object = try #require(FormatParsers.json(Array(json.utf8)))
        #expect(ECSSpecReader.problems(object, fields: SpecData.ecs, namespace: "callguard") != [], "\(rule)")
    }

    @Test func ecsReaderLeavesTheVendorNamespaceAlone() throws {
        let object = try #require(FormatParsers.json(Array(#"{"callguard":{"anything":[1,"x"]},"process":{"pid":1}}"#.utf8)))
        #expect(ECSSpecReader.problems(object, fields: SpecData.ecs, namespace: "callguard") == [])
    }
}
