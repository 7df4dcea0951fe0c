import Foundation
import Testing

@testable import SinkKit
import TestSupport

/// A reader's batch of violations goes to the sink thread under one lock, and
/// a sink whose throttle folds nothing skips it.
@Suite struct BatchSubmitTests {
    func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func aBatchIsQueuedWholeAndDeliveredInOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        let batch = (0..<50).map { Samples.violation(serial: UInt64($0)) }
        #expect(sink.submit(contentsOf: batch) == 50)
        #expect(sink.shutdown())
        let serials = lines(path).compactMap { FormatParsers.value(FormatParsers.json(Array($0.utf8)), at: "event.sequence") as? Int }
        #expect(serials == Array(0..<50))
        #expect(sink.counters.snapshot.sent == 50)
    }

    @Test func aBatchHandedOverWholeIsDeliveredInOrderAndLeavesTheCallersArrayEmpty() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        var batch = (0..<50).map { Samples.violation(serial: UInt64($0)) }
        #expect(sink.submit(taking: &batch) == 50)
        #expect(batch.isEmpty)
        // The second batch may find the first still queued: appended behind it.
        batch = (50..<100).map { Samples.violation(serial: UInt64($0)) }
        #expect(sink.submit(taking: &batch) == 50)
        #expect(batch.isEmpty)
        #expect(sink.shutdown())
        let serials = lines(path).compactMap { FormatParsers.value(FormatParsers.json(Array($0.utf8)), at: "event.sequence") as? Int }
        #expect(serials == Array(0..<100))
        #expect(sink.counters.snapshot.sent == 100)
    }

    @Test func aBatchHandedOverBeyondTheQueuesRoomIsCountedAsQueueFull() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = SinkConfiguration(
            spec: .file(path: dir.path + "/x"), queueCapacity: 4, throttle: Throttle(windowMS: 0, maxPerSecond: 0))
        let sink = try ViolationSink(configuration: config)
        var batch = (0..<10).map { Samples.violation(serial: UInt64($0)) }
        let taken = sink.submit(taking: &batch)
        #expect(taken <= 4)
        #expect(batch.isEmpty)
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(c.droppedByCause[.queueFull] == 10 - taken)
        #expect(c.sent == taken)
    }

    @Test func whatABatchCannotFitInTheQueueIsCountedAsQueueFull() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = SinkConfiguration(
            spec: .file(path: dir.path + "/x"), queueCapacity: 4, throttle: Throttle(windowMS: 0, maxPerSecond: 0))
        let sink = try ViolationSink(configuration: config)
        let taken = sink.submit(contentsOf: (0..<10).map { Samples.violation(serial: UInt64($0)) })
        #expect(taken <= 4)
        #expect(sink.shutdown())
        let c = sink.counters.snapshot
        #expect(c.droppedByCause[.queueFull] == 10 - taken)
        #expect(c.sent == taken)
    }

    @Test func aBatchAfterShutdownIsCountedAsStopped() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let sink = try ViolationSink(configuration: .init(spec: .file(path: dir.path + "/x"), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        #expect(sink.shutdown())
        #expect(sink.submit(contentsOf: [Samples.violation(), Samples.violation()]) == 0)
        #expect(sink.counters.snapshot.droppedByCause[.stopped] == 2)
    }

    @Test func aLoneViolationIsDeliveredPromptlyWhileTheSinkGathersBatches() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        defer { sink.shutdown() }
        sink.submit(Samples.violation(serial: 7))
        let start = Date()
        while lines(path).isEmpty && Date().timeIntervalSince(start) < 2 { usleep(1000) }
        #expect(lines(path).count == 1, "delivered without waiting for more violations or for shutdown")
    }

    @Test func onlyAThrottleWithoutWindowOrCapPassesEverything() {
        #expect(Throttle(windowMS: 0, maxPerSecond: 0).passesEverything)
        #expect(!Throttle(windowMS: 0, maxPerSecond: 100).passesEverything)
        #expect(!Throttle(windowMS: 10_000, maxPerSecond: 0).passesEverything)
        #expect(!Throttle().passesEverything)
    }

    @Test func aPassThroughSinkFoldsAndCountsNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/out.json"
        let sink = try ViolationSink(configuration: .init(spec: .file(path: path), throttle: Throttle(windowMS: 0, maxPerSecond: 0)))
        for _ in 0..<10 { sink.submit(Samples.violation(serial: 1)) }  // the same finding ten times
        #expect(sink.shutdown())
        #expect(lines(path).count == 10)
        #expect(sink.counters.snapshot.folded == 0)
    }
}
