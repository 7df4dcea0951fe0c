import AuditKit
@testable import CallguardAgent
import Foundation
import SinkKit
import Testing
import TestSupport

/// A violation says which kernel record reported it (`callguard.source`), what
/// a seccomp filter did (`callguard.seccomp`), and invents nothing a SECCOMP
/// record does not say (ppid, success, exit). The SECCOMP records are real
/// captures from podman + runc containers on this kernel; the SYSCALL record
/// is from the public corpus.
struct ViolationSourceTests {
    /// The violation the factory makes of the first event of `Fixtures/source/<fixture>`.
    static func violation(_ fixture: String) throws -> Violation {
        let path = Fixtures.directory().appendingPathComponent("source/\(fixture)").path
        var made: [Violation] = []
        try replayEvents(path) { event in
            guard made.isEmpty, case .syscall(let syscall) = SyscallEvent.summarise(event) else { return }
            made.append(
                ViolationFactory(hostName: "node").make(
                    syscall, container: nil, rule: .init(name: "p", file: "p.yaml"), severity: 7))
        }
        return try #require(made.first)
    }

    @Test func seccompRecordIsSourcedSeccompWithTheFiltersAction() throws {
        let v = try Self.violation("seccomp-log-captured.log")
        #expect(v.source == .seccomp)
        #expect(v.seccomp == .init(action: .log))
        #expect(v.syscall.name == "clock_nanosleep")
    }

    @Test func seccompKillRecordSaysKill() throws {
        let v = try Self.violation("seccomp-kill-captured.log")
        #expect(v.seccomp == .init(action: .kill))
        #expect(v.outcome == .failure)
    }

    @Test func seccompRecordHasNoInventedPpid() throws {
        #expect(try Self.violation("seccomp-log-captured.log").process.ppid == nil)
    }

    @Test func seccompLogRecordHasNoInventedResult() throws {
        let v = try Self.violation("seccomp-log-captured.log")
        #expect(v.syscall.success == nil)
        #expect(v.syscall.exit == nil)
        #expect(v.outcome == .unknown)
    }

    @Test func auditRuleRecordIsSourcedAuditRuleAndKeepsItsResult() throws {
        let v = try Self.violation("audit-rule-corpus.log")
        #expect(v.source == .auditRule)
        #expect(v.seccomp == nil)
        #expect(v.syscall.success == false)
        #expect(v.syscall.exit == -25)
        #expect(v.process.ppid == 11901)
        #expect(v.outcome == .failure)
    }
}

/// An x32 call (the x86_64 audit arch with bit 30 set in the number, as the
/// kernel reports it) is named by its syscall and arch `x32`, not as an
/// unknown number.
struct X32ViolationTests {
    @Test func x32CallIsNamedByItsSyscallWithArchX32() throws {
        let v = try ViolationSourceTests.violation("seccomp-x32.log")
        #expect(v.syscall.name == "uname")
        #expect(v.syscall.arch == "x32")
        #expect(v.syscall.number == 0x4000_0000 | 63)
    }
}
