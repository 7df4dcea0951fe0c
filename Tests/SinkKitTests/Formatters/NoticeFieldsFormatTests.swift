import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// A notice (a report that comes from no syscall record: `audit-records-lost`,
/// `container-unguarded`) carries only what it says. Fields it has no value
/// for are left out, not written empty or as 0 / -1: a SIEM would otherwise
/// index a process 0, an empty rule and a syscall -1 for every notice.
@Suite struct NoticeFieldsFormatTests {
    static let lost = RecordsLostFormatTests.notice
    static let unguarded = UnguardedFormatTests.report

    static func text(_ f: some ViolationFormatter, _ v: Violation) -> String { String(decoding: f.format(v), as: UTF8.self) }

    @Test func aRecordsLostNoticeInJSONHasNoProcessRuleSyscallOrSequence() throws {
        let o = try #require(FormatParsers.json(JSONFormatter().format(Self.lost)))
        #expect(FormatParsers.value(o, at: "process") == nil)
        #expect(FormatParsers.value(o, at: "rule") == nil)
        #expect(FormatParsers.value(o, at: "callguard.syscall") == nil)
        #expect(FormatParsers.value(o, at: "event.sequence") == nil)
        #expect(FormatParsers.value(o, at: "callguard.count") as? Int == 3_744_600)
        #expect(ECSSpecReader.problems(o, fields: SpecData.ecs, namespace: "callguard") == [])
    }

    @Test func aRecordsLostNoticeInCEFHasNoProcessRuleSyscallOrSerialKeys() throws {
        let ext = try #require(FormatParsers.cef(Self.text(CEFFormatter(), Self.lost))).ext
        for key in ["spid", "sproc", "suid", "externalId", "cn1", "cs1", "cs2", "cs3", "cs4", "callguardCallguardExecutable"] {
            #expect(ext[key] == nil, "\(key)")
        }
        #expect(ext["cnt"] == "3744600")
        #expect(CEFSpecReader.problems(Self.text(CEFFormatter(), Self.lost), dictionary: SpecData.cef) == [])
    }

    @Test func aRecordsLostNoticeInLEEFHasNoProcessRuleSyscallOrSerialKeys() throws {
        let attrs = try #require(FormatParsers.leef(Self.text(LEEFFormatter(), Self.lost))).attrs
        for key in ["pid", "processName", "processPath", "userId", "syscall", "syscallNumber", "arch", "policyName", "policyFile", "auditSerial"] {
            #expect(attrs[key] == nil, "\(key)")
        }
        #expect(attrs["count"] == "3744600")
        #expect(LEEFSpecReader.problems(Self.text(LEEFFormatter(), Self.lost), attributes: SpecData.leef) == [])
    }

    @Test func anUnguardedReportKeepsItsContainerProcessAndRuleButHasNoSyscall() throws {
        let o = try #require(FormatParsers.json(JSONFormatter().format(Self.unguarded)))
        #expect(FormatParsers.value(o, at: "container.image.name") as? String == "localhost/app:1")
        #expect(FormatParsers.value(o, at: "process.pid") as? Int == 4242)
        #expect(FormatParsers.value(o, at: "rule.name") as? String == "app")
        #expect(FormatParsers.value(o, at: "callguard.syscall") == nil)
        #expect(FormatParsers.value(o, at: "event.sequence") == nil)
        let ext = try #require(FormatParsers.cef(Self.text(CEFFormatter(), Self.unguarded))).ext
        #expect(ext["spid"] == "4242" && ext["cs3"] == "app" && ext["cn1"] == nil && ext["cs1"] == nil)
        let attrs = try #require(FormatParsers.leef(Self.text(LEEFFormatter(), Self.unguarded))).attrs
        #expect(attrs["pid"] == "4242" && attrs["policyName"] == "app" && attrs["syscallNumber"] == nil)
    }
}
