import CallguardAgent
import Foundation
import SinkKit
import Synchronization
import Testing
import TestSupport

/// Records the kernel dropped reach the SIEM as an `audit-records-lost`
/// notice (a flood must not leave the SIEM believing it saw everything),
/// rate-limited, carrying how many were dropped.
@Suite struct LostRecordsNoticeTests {
    final class Recorder: Sendable {
        let counter = Mutex<UInt64?>(0)
        let sent = Mutex<[Violation]>([])
    }

    struct Harness {
        let recorder = Recorder()
        let notice: LostRecordsNotice
        init() {
            let r = recorder
            notice = LostRecordsNotice(
                hostName: "node-1", minimumInterval: 10, readLost: { r.counter.withLock { $0 } },
                send: { v in r.sent.withLock { $0.append(v) } })
        }
    }

    @Test func noNoticeWhileTheKernelDropsNothing() {
        let h = Harness()
        h.notice.poll(now: 0)
        h.notice.poll(now: 20)
        #expect(h.recorder.sent.withLock { $0.isEmpty })
    }

    @Test func droppedRecordsBecomeOneNoticeWithTheirCount() throws {
        let h = Harness()
        h.recorder.counter.withLock { $0 = 3_744_600 }
        #expect(h.notice.poll(now: 100) == 3_744_600)
        let sent = h.recorder.sent.withLock { $0 }
        #expect(sent.count == 1)
        let notice = try #require(sent.first)
        #expect(notice.event.action == "audit-records-lost")
        #expect(notice.count == 3_744_600)
        let object = try #require(FormatParsers.json(JSONFormatter().format(notice)))
        #expect(FormatParsers.value(object, at: "event.action") as? String == "audit-records-lost")
        #expect(FormatParsers.value(object, at: "callguard.count") as? Int == 3_744_600)
    }

    @Test func dropsWithinTheIntervalAreSummedIntoTheNextNotice() {
        let h = Harness()
        h.recorder.counter.withLock { $0 = 10 }
        h.notice.poll(now: 0)
        h.recorder.counter.withLock { $0 = 25 }
        h.notice.poll(now: 5)  // within 10 s of the first: held
        #expect(h.recorder.sent.withLock { $0.count } == 1)
        h.notice.poll(now: 11)
        #expect(h.recorder.sent.withLock { $0.map(\.count) } == [10, 15])
    }

    @Test func anUnreadableCounterSendsNothing() {
        let h = Harness()
        h.recorder.counter.withLock { $0 = nil }
        #expect(h.notice.poll(now: 50) == nil)
        #expect(h.recorder.sent.withLock { $0.isEmpty })
    }
}
