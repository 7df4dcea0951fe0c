import Glibc
import Testing

@testable import AuditKit

/// Live records through the parser and the assembler, batch by batch.
@Suite
struct AssemblingConsumerTests {
    final class Seen {
        var events: [(serial: UInt32, types: [UInt16], reason: CompletionReason)] = []
    }

    /// Stands in for the reader's receive slab: payloads stay where they are
    /// until the test ends, as the slab's do until the batch ends.
    final class Slab {
        private var buffers: [UnsafeMutableRawBufferPointer] = []

        func feed(_ consumer: inout AssemblingConsumer, _ type: UInt16, _ text: String) {
            let bytes = Array(text.utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            buffer.copyBytes(from: bytes)
            buffers.append(buffer)
            consumer.consume(type: type, payload: UnsafeRawBufferPointer(buffer))
        }

        /// Overwrites every payload fed so far, as the next receive would.
        func reuse() {
            for buffer in buffers { buffer.initializeMemory(as: UInt8.self, repeating: 0x58) }
        }

        deinit { for buffer in buffers { buffer.deallocate() } }
    }

    @Test func eventSplitAcrossBatchesCompletesAtItsEOENotByTimeout() {
        let seen = Seen()
        let assembler = EventAssembler(configuration: .netlink) { event in
            seen.events.append((event.id.serial, (0..<event.count).map { event[$0].type.rawValue }, event.reason))
        }
        var consumer = AssemblingConsumer(assembler: assembler)
        let slab = Slab()
        slab.feed(&consumer, 1300, "audit(1700000000.000:7): arch=c000003e syscall=83 success=yes exit=0 pid=42")
        slab.feed(&consumer, 1307, "audit(1700000000.000:7): cwd=\"/\"")
        consumer.endOfBatch()
        #expect(seen.events.isEmpty, "the event is still open after the first batch")
        slab.feed(&consumer, 1327, "audit(1700000000.000:7): proctitle=6D6B646972")
        slab.feed(&consumer, 1320, "audit(1700000000.000:7): ")
        consumer.endOfBatch()
        #expect(seen.events.count == 1)
        #expect(seen.events.first?.reason == .endOfEvent)
        #expect(seen.events.first?.types == [1300, 1307, 1327])
    }

    /// Records of an event still open at the end of a batch are copied then:
    /// the next receive overwriting the slab does not touch them.
    @Test func recordsOfAnOpenEventOutliveTheirBatch() {
        var bodies: [String] = []
        let assembler = EventAssembler(configuration: .netlink) { event in
            bodies = (0..<event.count).map { event[$0].body.string }
        }
        var consumer = AssemblingConsumer(assembler: assembler)
        let first = Slab()
        first.feed(&consumer, 1300, "audit(1700000000.000:7): arch=c000003e syscall=83 success=yes exit=0 pid=42")
        consumer.endOfBatch()
        first.reuse()
        let second = Slab()
        second.feed(&consumer, 1307, "audit(1700000000.000:7): cwd=\"/\"")
        second.feed(&consumer, 1320, "audit(1700000000.000:7): ")
        #expect(bodies == ["arch=c000003e syscall=83 success=yes exit=0 pid=42", "cwd=\"/\""])
    }

    @Test func malformedPayloadIsCountedAndSkipped() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        Slab().feed(&consumer, 1300, "not an audit record")
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
        let slab = Slab()
        slab.feed(
            &consumer, 1326,
            "audit(1700000000.000:9): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7 comm=\"sh\" exe=\"/bin/busybox\" sig=0 arch=c000003e syscall=63 compat=0 ip=0x0 code=0x7ffc0000"
        )
        #expect(seen.events.isEmpty)
        assembler.advanceClock(toMilliseconds: AssemblingConsumer.wallClockMilliseconds() + 1000)
        #expect(seen.events.count == 1)
        #expect(seen.events.first?.types == [1326])
        #expect(seen.events.first?.reason == .timeout)
        withExtendedLifetime(slab) {}
    }
}
