import Glibc
import Testing

@testable import AuditKit

/// Live records through the parser and the assembler, batch by batch.
@Suite
struct AssemblingConsumerTests {
    final class Seen {
        var events: [(serial: UInt32, types: [UInt16], reason: CompletionReason)] = []
    }

    static func payload(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func feed(_ consumer: inout AssemblingConsumer, _ type: UInt16, _ text: String) {
        let bytes = payload(text)
        bytes.withUnsafeBytes { consumer.consume(type: type, payload: $0) }
    }

    @Test func eventSplitAcrossBatchesCompletesAtItsEOENotByTimeout() {
        let seen = Seen()
        let assembler = EventAssembler(configuration: .netlink) { event in
            seen.events.append((event.id.serial, (0..<event.count).map { event[$0].type.rawValue }, event.reason))
        }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(&consumer, 1300, "audit(1700000000.000:7): arch=c000003e syscall=83 success=yes exit=0 pid=42")
        Self.feed(&consumer, 1307, "audit(1700000000.000:7): cwd=\"/\"")
        consumer.endOfBatch()
        #expect(seen.events.isEmpty, "the event is still open after the first batch")
        Self.feed(&consumer, 1327, "audit(1700000000.000:7): proctitle=6D6B646972")
        Self.feed(&consumer, 1320, "audit(1700000000.000:7): ")
        consumer.endOfBatch()
        #expect(seen.events.count == 1)
        #expect(seen.events.first?.reason == .endOfEvent)
        #expect(seen.events.first?.types == [1300, 1307, 1327])
    }

    @Test func malformedPayloadIsCountedAndSkipped() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(&consumer, 1300, "not an audit record")
        #expect(consumer.malformed.total == 1)
        #expect(assembler.statistics.records == 0)
    }

    /// The kernel sends a SECCOMP record with no EOE when its syscall is not audited.
    @Test func loneSeccompRecordCompletesWhenTheTimeoutPasses() {
        let seen = Seen()
        let assembler = EventAssembler(configuration: .netlink) { event in
            seen.events.append((event.id.serial, (0..<event.count).map { event[$0].type.rawValue }, event.reason))
        }
        var consumer = AssemblingConsumer(assembler: assembler)
        Self.feed(
            &consumer, 1326,
            "audit(1700000000.000:9): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7 comm=\"sh\" exe=\"/bin/busybox\" sig=0 arch=c000003e syscall=63 compat=0 ip=0x0 code=0x7ffc0000"
        )
        #expect(seen.events.isEmpty)
        assembler.advanceClock(toMilliseconds: AssemblingConsumer.wallClockMilliseconds() + 1000)
        #expect(seen.events.count == 1)
        #expect(seen.events.first?.types == [1326])
        #expect(seen.events.first?.reason == .timeout)
    }
}
