import AuditKit
import Testing
import TestSupport

/// ``EventAssembler/add(borrowing:)``: records stay in the caller's buffer
/// until ``EventAssembler/detachBorrowed()``, which copies the open events'
/// records so that the buffer can be reused.
@Suite struct EventAssemblerBorrowingTests {
    /// The lines of the interleaved fixture in one buffer the test owns.
    final class Buffer {
        let bytes: UnsafeMutableBufferPointer<UInt8>
        private(set) var lines: [ByteView] = []

        init(_ content: [UInt8]) {
            bytes = .allocate(capacity: content.count)
            _ = bytes.initialize(from: content)
            var start = 0
            for i in 0...content.count where i == content.count || content[i] == 0x0A {
                if i > start { lines.append(ByteView(start: UnsafePointer(bytes.baseAddress! + start), count: i - start)) }
                start = i + 1
            }
        }

        /// Overwrites the buffer, as a reader's next chunk would.
        func reuse() { bytes.update(repeating: 0x58) }

        deinit { bytes.deallocate() }
    }

    /// Every event's records as strings, by serial.
    final class Seen {
        var events: [UInt32: [String]] = [:]
        var rawStarts: [UnsafePointer<UInt8>] = []
    }

    static func assembler(_ seen: Seen, _ configuration: AssemblerConfiguration = .logFile) -> EventAssembler {
        EventAssembler(configuration: configuration) { event in
            seen.events[event.id.serial] = (0..<event.count).map { event[$0].raw.string }
            seen.rawStarts += (0..<event.count).map { event[$0].raw.start }
        }
    }

    @Test func anEventCompletedWithinTheBufferIsNeverCopied() throws {
        let buffer = Buffer(try Fixtures.data("records/execve-event.log"))
        let seen = Seen()
        let assembler = Self.assembler(seen)
        for line in buffer.lines { assembler.add(borrowing: try RecordParser().parseLine(line)) }
        #expect(seen.events.count == 1)
        #expect(seen.rawStarts == buffer.lines.map(\.start))
        withExtendedLifetime(buffer) {}
    }

    /// The interleaved fixture fed in two halves with the buffer overwritten
    /// between them: the events open across the cut read as if copied at once.
    @Test func eventsOpenAcrossADetachOutliveTheBuffer() throws {
        let content = try Fixtures.data("assembly/interleaved.log")
        let copied = Seen()
        let reference = Self.assembler(copied)
        try withRecords(in: content) { records in
            for record in records { reference.add(record) }
        }
        reference.flush()

        let borrowed = Seen()
        let assembler = Self.assembler(borrowed)
        let cut = 30
        let first = Buffer(content)
        for line in first.lines[..<cut] { assembler.add(borrowing: try RecordParser().parseLine(line)) }
        #expect(assembler.openCount > 0, "some events span the cut")
        assembler.detachBorrowed()
        first.reuse()
        let second = Buffer(content)
        for line in second.lines[cut...] { assembler.add(borrowing: try RecordParser().parseLine(line)) }
        assembler.flush()
        #expect(borrowed.events == copied.events)
        withExtendedLifetime(second) {}
    }

    /// An event larger than a slot's first arena, copied and borrowed records
    /// mixed: growing the arena keeps the records already in it.
    @Test func growingTheArenaKeepsEveryRecord() throws {
        let seen = Seen()
        let assembler = Self.assembler(seen, .netlink)
        let filler = String(repeating: "A", count: 4000)
        var buffers: [Buffer] = []
        var expected: [String] = []
        for i in 0..<40 {
            let line = "type=PATH msg=audit(1700000000.000:5): item=\(i) name=\(filler)"
            expected.append(line)
            let buffer = Buffer(Array(line.utf8))
            buffers.append(buffer)
            let record = try RecordParser().parseLine(buffer.lines[0])
            if i.isMultiple(of: 3) {
                assembler.add(record)
            } else {
                assembler.add(borrowing: record)
            }
            if i.isMultiple(of: 7) {
                assembler.detachBorrowed()
                buffer.reuse()
            }
        }
        assembler.detachBorrowed()
        for buffer in buffers { buffer.reuse() }
        assembler.flush()
        #expect(seen.events[5] == expected)
    }
}
