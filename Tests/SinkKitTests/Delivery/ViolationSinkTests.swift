import Foundation
import Testing

@testable import SinkKit
import TestSupport

@Suite struct ViolationSinkTests {
    func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func fileSinkWritesOneJSONLinePerViolation() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for i in 0..<20 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown())
        let got = lines(path)
        #expect(got.count == 20)
        #expect(got.compactMap { FormatParsers.value(FormatParsers.json(Array($0.utf8)), at: "event.sequence") as? Int } == Array(0..<20))
        #expect(sink.counters.snapshot.sent == 20)
    }

    @Test func reopenStartsANewFileAfterRotation() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        sink.submit(Samples.violation(serial: 1))
        for _ in 0..<200 where lines(path).isEmpty { usleep(10_000) }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        sink.reopen()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: path) { usleep(10_000) }
        sink.submit(Samples.violation(serial: 2))
        #expect(sink.shutdown())
        #expect(lines(path + ".1").count == 1)
        #expect(lines(path).count == 1)
    }

    @Test func unreachableReceiverFillsTheSpoolAndCountsDropsBeyondIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Port 1 on loopback: nothing listens, connect is refused at once.
        let config = SinkConfiguration(
            spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:1"), spoolDirectory: dir.path + "/spool", spoolMaxBytes: 4096,
            throttle: Throttle(windowMS: 0, maxPerSecond: 0))
        let sink = try ViolationSink(configuration: config)
        for i in 0..<40 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(c.sent == 0)
        #expect(c.spooled > 0)
        #expect(c.dropped > 0)
        #expect(c.spooled + c.dropped == 40)
        #expect(c.droppedByCause[.spoolFull] == c.dropped, "each loss is counted under its cause")
        #expect(c.spoolBytes <= 4096 && c.spoolBytes > 0)
        #expect(c.errors > 0)
    }

    @Test func submitNeverBlocksAndCountsQueueOverflow() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = SinkConfiguration(
            spec: .file(path: dir.path + "/x"), queueCapacity: 4, throttle: Throttle(windowMS: 0, maxPerSecond: 0))
        let sink = try ViolationSink(configuration: config)
        var accepted = 0
        let start = Date()
        for i in 0..<10_000 where sink.submit(Samples.violation(serial: UInt64(i))) { accepted += 1 }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(c.dropped == 10_000 - accepted)
        #expect(c.droppedByCause[.queueFull] == 10_000 - accepted)
        #expect(c.sent == accepted)
    }

    @Test func repeatedViolationsArriveAsOneMessageAndASummaryWithTheirCount() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 60_000, maxPerSecond: 0)))
        for i in 0..<10 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown())  // closes open windows
        let counts = lines(path).compactMap { FormatParsers.value(FormatParsers.json(Array($0.utf8)), at: "callguard.count") as? Int }
        #expect(counts == [1, 9])
        #expect(sink.counters.snapshot.folded == 9)
        #expect(sink.counters.snapshot.foldedByCause[.repeats] == 9)
    }

    @Test func aLostSummaryCountsEveryViolationItStoodFor() throws {
        // Port 1 on loopback refuses at once, and there is no spool.
        let config = SinkConfiguration(
            spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:1"), throttle: Throttle(windowMS: 60_000, maxPerSecond: 0))
        let sink = try ViolationSink(configuration: config)
        for i in 0..<10 { sink.submit(Samples.violation(serial: UInt64(i))) }
        #expect(sink.shutdown())
        #expect(sink.counters.snapshot.droppedByCause[.noSpool] == 10, "1 sent at once + a summary of 9")
    }

    @Test func violationsSubmittedAfterShutdownAreCountedAsStopped() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let sink = try ViolationSink(configuration: .init(spec: .file(path: dir.path + "/x"), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        #expect(sink.shutdown())
        #expect(!sink.submit(Samples.violation()))
        #expect(sink.counters.snapshot.droppedByCause[.stopped] == 1)
        #expect(sink.counters.snapshot.dropped == 1)
    }

    @Test func countersByCauseAppearInTheStatisticsObject() throws {
        var s = SinkCounters.Snapshot(droppedByCause: [.queueFull: 2, .noSpool: 1], foldedByCause: [.tableFull: 5])
        s.add(SinkCounters.Snapshot(droppedByCause: [.queueFull: 1]))
        let object = try #require(FormatParsers.json(Array(s.description.utf8)))
        #expect(object["dropped"] as? Int == 4)
        #expect((object["dropped_by_cause"] as? [String: Int]) == [
            "queue_full": 3, "spool_full": 0, "spool_error": 0, "no_spool": 1, "too_large": 0, "stopped": 0, "timeout": 0,
        ])
        #expect((object["folded_by_cause"] as? [String: Int])?["table_full"] == 5)
        #expect(object["folded"] as? Int == 5)
    }

    @Test func aSuccessorSinkTakesOverTheSpoolAfterShutdown() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = SinkConfiguration(
            spec: try SinkSpec(parsing: "syslog+tcp://127.0.0.1:1"), spoolDirectory: dir.path + "/spool",
            throttle: Throttle(windowMS: 0, maxPerSecond: 0))
        let old = try ViolationSink(configuration: config)
        for i in 0..<3 { old.submit(Samples.violation(serial: UInt64(i))) }
        #expect(old.shutdown())
        let successor = try ViolationSink(configuration: config)
        #expect(successor.counters.snapshot.spoolBytes > 0, "the spooled messages are still there")
        #expect(successor.shutdown())
        _ = old
    }
}
