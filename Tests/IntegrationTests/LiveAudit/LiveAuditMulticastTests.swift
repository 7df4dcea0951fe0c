import AuditKit
import Foundation
import TestSupport
import Testing

/// callguard beside a real auditd: multicast works, unicast is refused by name.
@Suite(.serialized)
struct LiveAuditMulticastTests {
    static var prerequisites: Bool { LiveAudit.available && ForegroundAuditd.available }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func multicastReceivesChildSyscallBesideRunningAuditd() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit and auditd") else { return }
        try await LiveAudit.withRestoredState {
            let auditd = try ForegroundAuditd()
            defer { auditd.stop() }
            let rule = AuditRule(syscalls: ["mkdir", "mkdirat"], fields: [.equal("ppid", getpid())])
            let session = try AuditSession.start(.init(socketMode: .multicast, rules: [rule]))
            defer { session.stop() }
            #expect(try session.control.status().pid == UInt32(auditd.pid))

            let child = try LiveAudit.runMkdirChild("multicast")
            var collector = RecordCollector(waker: session.reader.waker) { $0.event(ofPid: child) != nil }
            try session.reader.run(&collector, until: .now + .seconds(10))

            let event = try #require(collector.records.event(ofPid: child), "no complete event for pid \(child)")
            let syscall = try #require(event.first { $0.type == RecordType.syscall })
            #expect(syscall.field("success") == "yes")
            #expect(syscall.field("key") == "\"callguard\"")
            #expect(event.contains { $0.type == RecordType.path })
            #expect(event.last?.type == RecordType.eoe)

            #expect(session.stop().isEmpty)
            // auditd is still the audit daemon; only callguard's rule is gone.
            let control = try AuditControl()
            #expect(try control.status().pid == UInt32(auditd.pid))
            #expect(try !control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(prerequisites)))
    func unicastFailsNamingTheRegisteredAuditdPid() async throws {
        guard RequireIntegration.check(Self.prerequisites, "root, kernel audit and auditd") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            // As on a host where auditd runs: auditing on (restored afterwards).
            try control.apply(AuditSettingsChange(enabled: .enabled))
            let auditd = try ForegroundAuditd()
            defer { auditd.stop() }
            let rule = AuditRule(syscalls: ["mkdir"], fields: [.equal("ppid", getpid())])
            let enabledBefore = try control.status().enabled
            let error = try #require(throws: AuditError.self) {
                _ = try AuditSession.start(.init(socketMode: .unicast, rules: [rule]))
            }
            #expect(error.code == .otherDaemon)
            #expect(error.message.contains("pid \(auditd.pid)"))
            #expect(error.message.contains("--socket multicast"))
            // Nothing was changed.
            #expect(try control.status().pid == UInt32(auditd.pid))
            #expect(try control.status().enabled == enabledBefore)
            #expect(try !control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })
        }
    }
}
