import AuditKit
import CallguardAgent
import SinkKit
import Foundation
import Testing

/// Statistics are pushed: stages write their counters to the board, which
/// keeps them in one swift-metrics registry that every reader reads.
@Suite struct StatisticsBoardTests {
    @Test func whatAStagePublishesIsInTheRegistryUnderItsPrometheusName() {
        let board = StatisticsBoard()
        board.update { $0.records = 5 }
        board.update {
            $0.records = 12
            $0.kernelLost = 3
            $0.violationsByPolicy = ["nginx": 4]
            $0.malformed.count(.badHeader, times: 2)
        }
        #expect(board.registry.value("callguard_records_total") == 12)
        #expect(board.registry.value("callguard_lost_total", [("source", "kernel")]) == 3)
        #expect(board.registry.value("callguard_violations_total", [("policy", "nginx")]) == 4)
        #expect(board.registry.value("callguard_malformed_records_total", [("reason", RecordParseError.Reason.badHeader.name)]) == 2)
    }

    @Test func theStatsLineAndTheMetricsReadTheRegistry() {
        let board = StatisticsBoard()
        board.update {
            $0.records = 7
            $0.serialGaps = 1
            $0.violationsByPolicy = ["app": 2]
            $0.violations = 2
            $0.reloads = 1
        }
        let snapshot = board.snapshot
        #expect(snapshot.records == 7)
        #expect(snapshot.lost == 1)
        #expect(snapshot.jsonLine.hasPrefix("{\"records\":7,\"events\":0,\"malformed\":0,\"evicted\":0,\"lost\":1,\"violations\":2,"))
        let text = PrometheusText.render(snapshot)
        #expect(text.contains("callguard_records_total 7\n"))
        #expect(text.contains("callguard_violations_total{policy=\"app\"} 2\n"))
        #expect(text.contains("callguard_policy_reloads_total 1\n"))
    }
}

/// The stats line's `sinks` object says everything SinkKit's own snapshot says.
@Suite struct StatisticsLineSinksTests {
    @Test func theSinksObjectHasEveryKeyOfTheSinksSnapshot() throws {
        var statistics = PipelineStatistics()
        statistics.takeSinks(SinkCounters.Snapshot(droppedByCause: [.queueFull: 1], foldedByCause: [.repeats: 2]))
        let line = try #require(
            try JSONSerialization.jsonObject(with: Data(statistics.jsonLine.utf8)) as? [String: Any])
        let ours = try #require(line["sinks"] as? [String: Any])
        let theirs = try #require(
            try JSONSerialization.jsonObject(with: Data(statistics.sinks!.description.utf8)) as? [String: Any])
        #expect(Set(ours.keys) == Set(theirs.keys))
        #expect((ours["dropped_by_cause"] as? [String: Int])?["queue_full"] == 1)
    }
}
