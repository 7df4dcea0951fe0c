import Glibc
import Testing

@testable import AuditKit

/// Serial gaps in the live stream are reported while the agent runs (the
/// SIGUSR1 line and the metrics read the assembler's statistics after each
/// batch), not only at exit: fed through the consumer the live reader uses.
@Suite struct LiveSerialGapTests {
    /// Feeds one SYSCALL + EOE event per serial, as netlink payloads.
    static func feed(_ consumer: inout AssemblingConsumer, serials: some Sequence<UInt32>) {
        for serial in serials {
            for (type, body) in [(UInt16(1300), "arch=c000003e syscall=39 success=yes exit=1 pid=42"), (UInt16(1320), "")] {
                var text = Array("audit(1700000000.000:\(serial)): \(body)".utf8)
                text.withUnsafeMutableBytes { consumer.consume(type: type, payload: UnsafeRawBufferPointer($0)) }
            }
        }
        consumer.endOfBatch()
    }

    @Test func gapIsInTheStatisticsOnceItLeavesTheWindowWithoutAFlush() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(&consumer, serials: [1])
        // Serial 2 never comes; 4,096 later serials push it out of the window.
        Self.feed(&consumer, serials: UInt32(3)...UInt32(3 + SerialGapTracker.window))
        #expect(assembler.statistics.serialGaps == 1)
        #expect(assembler.serialGaps == 1)
    }

    @Test func jumpOfTheKernelCounterWithinAMillionIsLossAtOnce() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(&consumer, serials: [10])
        Self.feed(&consumer, serials: [20_010])
        // 20,000 - 1 serials never came; all but the window's are certain now.
        #expect(assembler.statistics.serialGaps == UInt64(20_000 - SerialGapTracker.window))
    }

    @Test func rolloverOfTheKernelCounterIsNotLoss() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(&consumer, serials: UInt32.max - 2...UInt32.max)
        Self.feed(&consumer, serials: UInt32(0)...UInt32(2 * SerialGapTracker.window))
        #expect(assembler.statistics.serialGaps == 0)
        assembler.flush()
        #expect(assembler.statistics.serialGaps == 0)
    }
}
