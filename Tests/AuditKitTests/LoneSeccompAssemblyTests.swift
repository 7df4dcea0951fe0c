import AuditKit
import Testing

/// A SECCOMP record is an event on its own exactly when no exit rule can make
/// the kernel follow it with a SYSCALL record of the same serial.
@Suite struct LoneSeccompAssemblyTests {
    /// Adds the fixture's records one by one and notes, after each, how many events were handed on.
    static func replay(
        _ fixture: String, configuration: AssemblerConfiguration, before: ((EventAssembler, Int) -> Void)? = nil
    ) throws -> (afterEach: [Int], reasons: [CompletionReason], records: [Int]) {
        try withRecords(ofFixture: "assembly/\(fixture)") { records throws in
            var reasons: [CompletionReason] = []
            var counts: [Int] = []
            var afterEach: [Int] = []
            let assembler = EventAssembler(configuration: configuration) { event in
                reasons.append(event.reason)
                counts.append(event.count)
            }
            for (i, record) in records.enumerated() {
                before?(assembler, i)
                assembler.add(record)
                afterEach.append(reasons.count)
            }
            assembler.flush()
            return (afterEach, reasons, counts)
        }
    }

    static var netlinkWithoutExitRules: AssemblerConfiguration {
        var c = AssemblerConfiguration.netlink
        c.exitRulesLoaded = false
        return c
    }

    @Test func loneSeccompRecordIsHandedOnAtOnceWithoutExitRules() throws {
        let result = try Self.replay("seccomp-lone.log", configuration: Self.netlinkWithoutExitRules)
        #expect(result.afterEach == [1, 2])
        #expect(result.reasons == [.loneSeccomp, .loneSeccomp])
        #expect(result.records == [1, 1])
    }

    @Test func seccompRecordWaitsForItsSyscallRecordWhileExitRulesMayBeLoaded() throws {
        let result = try Self.replay("seccomp-then-syscall.log", configuration: .netlink)
        #expect(result.afterEach == [0, 0, 0, 1])
        #expect(result.reasons == [.endOfEvent])
        #expect(result.records == [3])
    }

    @Test func logReplayKeepsSeccompAndSyscallRecordsOfOneSerialTogether() throws {
        #expect(AssemblerConfiguration.logFile.exitRulesLoaded)
        let result = try Self.replay("seccomp-then-syscall.log", configuration: .logFile)
        #expect(result.reasons == [.proctitle])
        #expect(result.records == [3])
    }

    @Test func liveDefaultAssumesExitRulesMayBeLoaded() {
        #expect(AssemblerConfiguration.netlink.exitRulesLoaded)
        #expect(AssemblerConfiguration().exitRulesLoaded)
    }

    @Test func exitRuleStateCanChangeWhileAssembling() throws {
        // Rules loaded for the first record (it waits), gone for the second (handed on at once).
        let result = try Self.replay("seccomp-lone.log", configuration: .netlink) { assembler, i in
            assembler.exitRulesLoaded = i == 0
        }
        #expect(result.afterEach == [0, 1])
        #expect(result.reasons == [.loneSeccomp, .flushed])
    }
}
