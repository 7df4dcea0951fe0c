import AuditKit
import Foundation
import Synchronization
import TestSupport
import Testing

/// callguard as the registered audit daemon on the real kernel.
@Suite(.serialized)
struct LiveAuditUnicastTests {
    /// A rule for mkdir/mkdirat by children of this test process.
    static func mkdirRule() -> AuditRule {
        AuditRule(arch: .b64, syscalls: ["mkdir", "mkdirat"], fields: [.equal("ppid", getpid())])
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func childSyscallArrivesAsSyscallCwdPathProctitleEoe() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: [Self.mkdirRule()]))
            defer { session.stop() }
            #expect(session.ruleReport.refused.isEmpty)
            #expect(try session.control.status().pid == UInt32(getpid()))

            let child = try LiveAudit.runMkdirChild("unicast")

            var collector = RecordCollector(waker: session.reader.waker) { $0.event(ofPid: child) != nil }
            try session.reader.run(&collector, until: .now + .seconds(10))

            let event = try #require(collector.records.event(ofPid: child), "no complete event for pid \(child)")
            let syscall = try #require(event.first { $0.type == RecordType.syscall })
            let number = try #require(syscall.field("syscall").flatMap { Int32($0) })
            #expect(AuditArch.x86_64.syscallName(number).map { ["mkdir", "mkdirat"].contains($0) } == true)
            #expect(syscall.field("success") == "yes")
            #expect(syscall.field("pid") == String(child))
            #expect(syscall.field("ppid") == String(getpid()))
            #expect(syscall.field("key") == "\"callguard\"")
            #expect(event.contains { $0.type == RecordType.cwd })
            #expect(event.contains { $0.type == RecordType.path })
            #expect(event.contains { $0.type == RecordType.proctitle })
            #expect(event.last?.type == RecordType.eoe)
            let statistics = try session.statistics()
            #expect(statistics.reader.overruns == 0)
            #expect(statistics.reader.messages >= UInt64(event.count))
            #expect(statistics.backlogLimit == 8192)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func stopRemovesRulesUnsetsPidAndRestoresSettings() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let before = try control.status()
            var configuration = AuditSessionConfiguration(socketMode: .unicast, rules: [Self.mkdirRule()])
            configuration.backlogLimit = before.backlogLimit &+ 1000
            configuration.backlogWaitTime = 0
            let session = try AuditSession.start(configuration)
            let during = try control.status()
            #expect(during.enabled != .disabled)
            #expect(during.backlogLimit == before.backlogLimit &+ 1000)
            #expect(during.backlogWaitTime == 0)
            #expect(try control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })

            let failures = session.stop()
            #expect(failures.isEmpty, "\(failures)")
            let after = try control.status()
            #expect(after.pid == 0)
            #expect(after.enabled == before.enabled)
            #expect(after.backlogLimit == before.backlogLimit)
            #expect(after.backlogWaitTime == before.backlogWaitTime)
            #expect(try !control.kernelRules().contains { $0.hasKey(AuditRule.callguardKey) })
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func refusedRulesAreReportedWithReasonAndTheRestLoad() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let good = Self.mkdirRule()
            let unknown = AuditRule(syscalls: ["no_such_syscall"], fields: [.equal("ppid", getpid())])
            let badField = AuditRule(syscalls: ["getcwd"], fields: [AuditRuleField("no_such_field", .equal, "1")])
            let other = AuditRule(syscalls: ["getcwd"], fields: [.equal("ppid", getpid())])
            let report = control.install([good, unknown, good, badField, other])
            #expect(report.installed == [good, other])
            #expect(report.refused.count == 3)
            #expect(report.refused.map(\.rule) == [unknown, good, badField])
            #expect(report.refused[0].error.message.contains("no_such_syscall"))
            #expect(report.refused[1].error.errno == EEXIST)
            #expect(report.refused[2].error.message.contains("no_such_field"))
            #expect(try control.removeRules() == 2)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func rulesLeftByACrashedRunAreReplacedAtStart() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            // A "crashed" earlier run: its rule excludes a pid that is not ours.
            let leftover = AuditRule(syscalls: ["getcwd"], fields: [.equal("ppid", getpid())])
            #expect(control.install([leftover], excludingPid: 999_999).refused.isEmpty)
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: [Self.mkdirRule()]))
            defer { session.stop() }
            #expect(session.removedLeftovers == 1)
            let ours = try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
            #expect(ours.count == 1)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func wakerStopsABlockedReader() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: [Self.mkdirRule()]))
            defer { session.stop() }
            let waker = session.reader.waker
            let stopper = Thread { usleep(200_000); waker.stop() }
            stopper.start()
            var collector = RecordCollector(waker: waker) { _ in false }
            let started = ContinuousClock.now
            try session.reader.run(&collector, until: .now + .seconds(20))
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available)))
    func stopFromTheOwnerWaitsForTheReaderThreadThenRestores() async throws {
        guard RequireIntegration.check(LiveAudit.available, "root and kernel audit (NETLINK_AUDIT)") else { return }
        try await LiveAudit.withRestoredState {
            let session = try AuditSession.start(.init(socketMode: .unicast, rules: [Self.mkdirRule()]))
            let finished = Atomic<Bool>(false)
            let thread = Thread {
                var collector = RecordCollector(waker: session.reader.waker) { _ in false }
                _ = try? session.reader.run(&collector, until: .now + .seconds(30))
                finished.store(true, ordering: .releasing)
            }
            thread.start()
            while !session.reader.waker.isReaderRunning { usleep(1000) }
            let failures = session.stop()
            #expect(failures.isEmpty, "\(failures)")
            let readerFinished = finished.load(ordering: .acquiring)
            #expect(readerFinished)
            #expect(try AuditControl().status().pid == 0)
        }
    }

    @Test(.enabled(if: RequireIntegration.shouldRun(LiveAudit.available && LiveAuditPipelineTests.uname_x86_64)))
    func syscallNamesResolveInTheTableOfTheRulesArch() async throws {
        guard RequireIntegration.check(LiveAudit.available && LiveAuditPipelineTests.uname_x86_64, "root, kernel audit, x86_64")
        else { return }
        try await LiveAudit.withRestoredState {
            let control = try AuditControl()
            let b64 = AuditRule(arch: .b64, syscalls: ["mkdir"], fields: [.equal("ppid", getpid())])
            let b32 = AuditRule(arch: .b32, syscalls: ["mkdir"], fields: [.equal("ppid", getpid())])
            #expect(control.install([b64, b32]).refused.isEmpty)
            let ours = try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
            #expect(ours.first { $0.arch == .x86_64 }?.syscallNumbers == [83])
            #expect(ours.first { $0.arch == .i386 }?.syscallNumbers == [39])
        }
    }
}
