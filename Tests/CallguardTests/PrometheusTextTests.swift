import AuditKit
import CallguardAgent
import SinkKit
import Testing

@Suite struct PrometheusTextTests {
    @Test func countersRenderAsPrometheusSamplesWithHelpAndType() {
        var statistics = PipelineStatistics()
        statistics.records = 12
        statistics.kernelLost = 3
        statistics.serialGaps = 1
        let text = PrometheusText.render(
            statistics, violationsByPolicy: ["nginx": 4], reloads: 2, lastReloadSuccess: 1_700_000_000, attributionMisses: 5)
        #expect(text.contains("# TYPE callguard_records_total counter\ncallguard_records_total 12\n"))
        #expect(text.contains("callguard_violations_total{policy=\"nginx\"} 4\n"))
        #expect(text.contains("callguard_lost_total{source=\"kernel\"} 3\n"))
        #expect(text.contains("callguard_lost_total{source=\"serial_gap\"} 1\n"))
        #expect(text.contains("callguard_policy_reloads_total 2\n"))
        #expect(text.contains("callguard_policy_last_reload_success_timestamp_seconds 1700000000\n"))
    }

    @Test func sinkDropsAndFoldsAreSamplesByCause() {
        var statistics = PipelineStatistics()
        statistics.sinks = SinkCounters.Snapshot(droppedByCause: [.queueFull: 7, .spoolFull: 2], foldedByCause: [.tableFull: 3])
        let text = PrometheusText.render(statistics, violationsByPolicy: [:], reloads: 0, lastReloadSuccess: 0, attributionMisses: 0)
        #expect(text.contains("callguard_sink_dropped_total{cause=\"queue_full\"} 7\n"))
        #expect(text.contains("callguard_sink_dropped_total{cause=\"spool_full\"} 2\n"))
        #expect(text.contains("callguard_sink_dropped_total{cause=\"stopped\"} 0\n"), "every cause is a sample, 0 included")
        #expect(text.contains("callguard_sink_folded_total{cause=\"table_full\"} 3\n"))
        #expect(text.contains("callguard_sink_folded_total{cause=\"rate_limited\"} 0\n"))
    }

    @Test func policyNamesAreEscapedInLabels() {
        let text = PrometheusText.render(
            PipelineStatistics(), violationsByPolicy: ["a\"b\\c": 1], reloads: 0, lastReloadSuccess: 0, attributionMisses: 0)
        #expect(text.contains(#"callguard_violations_total{policy="a\"b\\c"} 1"#))
    }
}
