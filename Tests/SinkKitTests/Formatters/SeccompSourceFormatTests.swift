import Foundation
import Testing
import TestSupport

@testable import SinkKit

/// Every format says where a violation was seen (`callguard.source`) and what a
/// seccomp filter did, and leaves out what a SECCOMP record does not say (the
/// ppid; how the call ended) instead of inventing it.
@Suite struct SeccompSourceFormatTests {
    static func json(_ v: Violation) throws -> [String: Any] { try #require(FormatParsers.json(JSONFormatter().format(v))) }
    static func cef(_ v: Violation) throws -> [String: String] {
        try #require(FormatParsers.cef(String(decoding: CEFFormatter().format(v), as: UTF8.self))).ext
    }
    static func leef(_ v: Violation) throws -> [String: String] {
        try #require(FormatParsers.leef(String(decoding: LEEFFormatter().format(v), as: UTF8.self))).attrs
    }

    @Test(arguments: [
        (UInt32(0x7FFC_0000), Violation.SeccompAction.log, Int?.none),
        (0x0005_0001, .errno, 1),
        (0x0005_0026, .errno, 38),
        // What the kernel writes for any errno action: it logs the action
        // alone (SECCOMP_RET_ACTION_FULL), so the errno is not known, not 0.
        (0x0005_0000, .errno, nil),
        (0x8000_0000, .kill, nil),
        (0x0000_0000, .kill, nil),
        (0x0003_0000, .trap, nil),
        (0x7FF0_0007, .trace, nil),
        (0x7FC0_0000, .userNotif, nil),
        (0x7FFF_0000, .allow, nil),
        (0x1234_0000, .kill, nil),
    ])
    func seccompCodeDecodesToTheFiltersAction(code: UInt32, action: Violation.SeccompAction, errno: Int?) {
        #expect(Violation.SeccompResult(code: code) == .init(action: action, errno: errno))
    }

    @Test func jsonSaysTheSourceAndTheSeccompAction() throws {
        let o = try Self.json(Samples.seccompViolation())
        #expect(FormatParsers.value(o, at: "callguard.source") as? String == "seccomp")
        #expect(FormatParsers.value(o, at: "callguard.seccomp.action") as? String == "log")
        #expect(FormatParsers.value(o, at: "callguard.seccomp.errno") == nil)
        let errno = try Self.json(Samples.seccompViolation(code: 0x0005_0001))
        #expect(FormatParsers.value(errno, at: "callguard.seccomp.action") as? String == "errno")
        #expect(FormatParsers.value(errno, at: "callguard.seccomp.errno") as? Int == 1)
    }

    @Test func jsonLeavesOutAnUnknownParentPid() throws {
        let o = try Self.json(Samples.seccompViolation())
        #expect(FormatParsers.value(o, at: "process.parent") == nil)
        #expect(FormatParsers.value(o, at: "process.pid") as? Int == 11753)
    }

    @Test func jsonLeavesOutAnUnknownResult() throws {
        let o = try Self.json(Samples.seccompViolation())
        #expect(FormatParsers.value(o, at: "callguard.syscall.success") == nil)
        #expect(FormatParsers.value(o, at: "callguard.syscall.exit") == nil)
    }

    @Test(arguments: [
        (UInt32(0x7FFC_0000), "unknown"), (0x0005_0001, "failure"), (0x8000_0000, "failure"), (0x0000_0000, "failure"),
        (0x0003_0000, "failure"), (0x7FF0_0000, "unknown"), (0x7FC0_0000, "unknown"),
    ])
    func jsonOutcomeOfASeccompRecordFollowsTheAction(code: UInt32, outcome: String) throws {
        #expect(FormatParsers.value(try Self.json(Samples.seccompViolation(code: code)), at: "event.outcome") as? String == outcome)
    }

    @Test func jsonAuditRuleViolationKeepsItsResult() throws {
        var v = Samples.violation()
        v.source = .auditRule
        let o = try Self.json(v)
        #expect(FormatParsers.value(o, at: "callguard.source") as? String == "audit-rule")
        #expect(FormatParsers.value(o, at: "callguard.syscall.success") as? Bool == false)
        #expect(FormatParsers.value(o, at: "callguard.syscall.exit") as? Int == -1)
        #expect(FormatParsers.value(o, at: "event.outcome") as? String == "failure")
        #expect(FormatParsers.value(o, at: "process.parent.pid") as? Int == 4200)
        #expect(FormatParsers.value(o, at: "callguard.seccomp") == nil)
    }

    @Test func cefSaysTheSourceAndTheSeccompActionInVendorKeys() throws {
        let ext = try Self.cef(Samples.seccompViolation(code: 0x0005_0001))
        #expect(ext["callguardCallguardSource"] == "seccomp")
        #expect(ext["callguardCallguardSeccompAction"] == "errno")
        #expect(ext["callguardCallguardSeccompErrno"] == "1")
    }

    @Test func cefLeavesOutAnUnknownParentPidExitAndOutcome() throws {
        let ext = try Self.cef(Samples.seccompViolation())
        for key in ["cn2", "cn2Label", "cn3", "cn3Label", "outcome"] { #expect(ext[key] == nil, "\(key)") }
        #expect(try Self.cef(Samples.seccompViolation(code: 0x8000_0000))["outcome"] == "failure")
        #expect(try Self.cef(Samples.violation())["cn3"] == "4200")
    }

    @Test func leefSaysTheSourceTheSeccompActionAndTheOutcome() throws {
        let attrs = try Self.leef(Samples.seccompViolation(code: 0x0005_0001))
        #expect(attrs["source"] == "seccomp")
        #expect(attrs["seccompAction"] == "errno")
        #expect(attrs["seccompErrno"] == "1")
        #expect(attrs["outcome"] == "failure")
        #expect(try Self.leef(Samples.seccompViolation())["outcome"] == "unknown")
    }

    @Test func leefLeavesOutAnUnknownParentPidAndResult() throws {
        let attrs = try Self.leef(Samples.seccompViolation())
        for key in ["ppid", "success", "exit"] { #expect(attrs[key] == nil, "\(key)") }
        #expect(try Self.leef(Samples.violation())["ppid"] == "4200")
    }
}
