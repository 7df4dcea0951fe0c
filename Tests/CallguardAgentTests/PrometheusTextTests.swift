import AuditKit
import CallguardAgent
import SinkKit
import Testing

@Suite struct PrometheusTextTests {
    @Test func countersRenderAsPrometheusSamplesWithHelpAndType() {
        var statistics = PipelineStatistics()
        statistics.records = 12
        statistics.kernelLost = 3
        let text = PrometheusText.render(
            statistics, violationsByPolicy: ["nginx": 4], reloads: 2, lastReloadSuccess: 1_700_000_000, attributionMisses: 5)
        #expect(text.contains("# TYPE callguard_records_total counter\ncallguard_records_total 12\n"))
        #expect(text.contains("callguard_violations_total{policy=\"nginx\"} 4\n"))
        #expect(text.contains("callguard_lost_total{source=\"kernel\"} 3\n"))
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

    /// The serial-gap sample comes from the assembler the live reader feeds,
    /// through the mapping `run` publishes after every batch: a gap in the
    /// kernel's stream shows while the agent runs (it once showed only after
    /// `flush()`, at exit, so the metric was always 0).
    @Test func serialGapOfTheLiveStreamShowsInTheMetricWhileRunning() {
        let assembler = EventAssembler(configuration: .netlink) { _ in }
        var consumer = AssemblingConsumer(assembler: assembler)
        var serials: [UInt32] = [1]
        serials += Array(UInt32(3)...UInt32(3 + SerialGapTracker.window))  // 2 never comes
        for serial in serials {
            var payload = Array("audit(1700000000.000:\(serial)): arch=c000003e syscall=39 success=yes exit=1 pid=42".utf8)
            payload.withUnsafeMutableBytes { consumer.consume(type: 1300, payload: UnsafeRawBufferPointer($0)) }
            consumer.endOfBatch()
        }
        var statistics = PipelineStatistics()
        statistics.take(assembler.statistics)
        let text = PrometheusText.render(
            statistics, violationsByPolicy: [:], reloads: 0, lastReloadSuccess: 0, attributionMisses: 0)
        #expect(text.contains("callguard_lost_total{source=\"serial_gap\"} 1\n"), "\(text)")
        #expect(statistics.lost == 1)
    }

    /// An agent started without the kernel's fork announcements (no
    /// CAP_NET_ADMIN, an old unit file) says so in its metrics, not only in
    /// one warning at start: its short-lived container processes may then be
    /// reported with no container.
    @Test func anAgentWithoutForkAnnouncementsSaysSoInAGauge() {
        var statistics = PipelineStatistics()
        statistics.forkAnnouncements = false
        #expect(PrometheusText.render(statistics).contains("# TYPE callguard_fork_announcements_available gauge\ncallguard_fork_announcements_available 0\n"))
        statistics.forkAnnouncements = true
        #expect(PrometheusText.render(statistics).contains("callguard_fork_announcements_available 1\n"))
    }

    @Test func aSourceWithoutProcessesHasNoForkAnnouncementGauge() {
        #expect(!PrometheusText.render(PipelineStatistics()).contains("fork_announcements_available"))
    }

    @Test func policyNamesAreEscapedInLabels() {
        let text = PrometheusText.render(
            PipelineStatistics(), violationsByPolicy: ["a\"b\\c": 1], reloads: 0, lastReloadSuccess: 0, attributionMisses: 0)
        #expect(text.contains(#"callguard_violations_total{policy="a\"b\\c"} 1"#))
    }
}
