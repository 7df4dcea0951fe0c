import AuditKit
import Testing

/// Scenario fixtures under Fixtures/assembly, each named after what it reproduces.
@Suite struct EventAssemblerTests {
    struct Seen: Equatable, CustomStringConvertible {
        var serial: UInt32
        var records: Int
        var reason: CompletionReason
        var description: String { "\(serial)×\(records) \(reason)" }
    }

    static func assemble(
        _ fixture: String, configuration: AssemblerConfiguration = .logFile
    ) throws -> (events: [Seen], statistics: AssemblyStatistics) {
        try withRecords(ofFixture: "assembly/\(fixture)") { records throws in
            var seen: [Seen] = []
            let assembler = EventAssembler(configuration: configuration) { event in
                seen.append(Seen(serial: event.id.serial, records: event.count, reason: event.reason))
            }
            for record in records { assembler.add(record) }
            assembler.flush()
            return (seen, assembler.statistics)
        }
    }

    @Test func interleavedRealEventsAreGroupedBySerial() throws {
        let result = try Self.assemble("interleaved.log")
        #expect(result.statistics.records == 60)
        #expect(Set(result.events.map(\.serial)).count == result.events.count)
        #expect(result.events.reduce(0) { $0 + $1.records } == 60)
        #expect(result.statistics.serialGaps == 0)
    }

    @Test func endOfEventCompletesInterleavedNetlinkEvents() throws {
        let result = try Self.assemble("netlink-with-eoe.log", configuration: .init(completeOnProctitle: false))
        #expect(result.events == [Seen(serial: 10, records: 2, reason: .endOfEvent), Seen(serial: 11, records: 3, reason: .endOfEvent)])
    }

    @Test func serialGapsOfTheKernelStreamAreCountedAsLoss() throws {
        let result = try Self.assemble("lost.log", configuration: .init(completeOnProctitle: true, serialSource: .kernelStream))
        #expect(result.events.count == 4)
        #expect(result.statistics.serialGaps == 3)  // 102, 103, 104
        #expect(result.statistics.serialsMissing == 0)
    }

    @Test func serialGapsOfAFileAreMissingSerialsNotLoss() throws {
        let result = try Self.assemble("lost.log")
        #expect(result.events.count == 4)
        #expect(result.statistics.serialGaps == 0)
        #expect(result.statistics.serialsMissing == 3)  // 102, 103, 104
    }

    @Test func outOfOrderSerialsAreNotLoss() throws {
        let result = try Self.assemble("out_of_order.log")
        #expect(result.events.map(\.serial) == [203, 201, 202])
        #expect(result.events.allSatisfy { $0.records == 2 })
        #expect(result.statistics.serialGaps == 0)
    }

    @Test(arguments: [SerialGapTracker.Source.kernelStream, .file])
    func serialRolloverIsNotLoss(source: SerialGapTracker.Source) throws {
        let result = try Self.assemble("rollover.log", configuration: .init(completeOnProctitle: true, serialSource: source))
        #expect(result.statistics.serialsMissing == 0)
        #expect(result.statistics.serialJumps == 0)
        #expect(result.events.map(\.serial) == [4_294_967_294, 4_294_967_295, 0, 1])
        #expect(result.statistics.serialGaps == 0)
    }

    @Test func eventWhoseEndNeverComesTimesOut() throws {
        let result = try Self.assemble("never_ending.log", configuration: .init(timeoutMilliseconds: 2000, completeOnProctitle: true))
        #expect(result.events.first { $0.serial == 300 } == Seen(serial: 300, records: 1, reason: .timeout))
        #expect(result.statistics.timedOut == 1)
    }

    @Test func fullTableEvictsTheOldestAndCountsIt() throws {
        let result = try Self.assemble("out_of_order.log", configuration: .init(maximumOpenEvents: 1, completeOnProctitle: true))
        #expect(result.statistics.evicted >= 1)
        #expect(result.events.first?.reason == .evicted)
        #expect(result.events.first?.serial == 201)
    }

    @Test func userAndDaemonMessagesAreEventsOnTheirOwn() throws {
        let result = try Self.assemble("standalone.log")
        #expect(result.events.map(\.reason) == [.standalone, .standalone, .standalone])
        // The daemon's own serial (7) is not the kernel's and is not a gap.
        #expect(result.statistics.serialGaps == 0)
    }

    @Test func recordsBeyondTheEventLimitAreDroppedAndCounted() throws {
        let result = try Self.assemble("netlink-with-eoe.log", configuration: .init(completeOnProctitle: false, maximumRecordsPerEvent: 1))
        #expect(result.events.map(\.records) == [1, 1])
        #expect(result.statistics.droppedRecords == 3)
    }

    @Test func orphanEndOfEventIsCountedNotAnEvent() throws {
        let result = try Self.assemble("netlink-with-eoe.log", configuration: .init(completeOnProctitle: true))
        #expect(result.statistics.orphanEndOfEvent == 2)
        #expect(result.events.count == 2)
    }
}
