import AuditKit
import SinkKit

/// Renders the agent's counters in the Prometheus text exposition format.
public enum PrometheusText {
    /// The metrics for `statistics`, as the stages and services published them.
    public static func render(_ statistics: PipelineStatistics) -> String {
        render(
            statistics, violationsByPolicy: statistics.violationsByPolicy, reloads: statistics.reloads,
            failedReloads: statistics.failedReloads, lastReloadSuccess: statistics.lastReloadSuccess,
            attributionMisses: statistics.attributionMisses)
    }

    /// The metrics for `statistics` and the agent's own state.
    public static func render(
        _ statistics: PipelineStatistics, violationsByPolicy: [String: UInt64], reloads: UInt64,
        failedReloads: UInt64 = 0,
        lastReloadSuccess: Double, attributionMisses: UInt64
    ) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP callguard_\(name) \(help)\n# TYPE callguard_\(name) \(type)\n"
            for (labels, value) in samples {
                let number = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
                out += "callguard_\(name)\(labels) \(number)\n"
            }
        }
        func one(_ name: String, _ type: String, _ help: String, _ value: Double) { metric(name, type, help, [("", value)]) }
        one("records_total", "counter", "Audit records parsed.", Double(statistics.records))
        one("events_total", "counter", "Audit events assembled.", Double(statistics.events))
        one("malformed_records_total", "counter", "Malformed records counted and skipped.", Double(statistics.malformed.total))
        metric(
            "violations_total", "counter", "Violations found, by policy.",
            violationsByPolicy.sorted { $0.key < $1.key }.map { ("{policy=\"\(escape($0.key))\"}", Double($0.value)) })
        metric(
            "lost_total", "counter", "Audit events lost, by where they were lost.",
            [
                ("{source=\"kernel\"}", Double(statistics.kernelLost)),
                ("{source=\"enobufs\"}", Double(statistics.overruns)),
                ("{source=\"serial_gap\"}", Double(statistics.serialGaps)),
            ])
        one("evicted_events_total", "counter", "Events completed early because the open-event table was full.", Double(statistics.evicted))
        one("unattributed_events_total", "counter", "Events no container could be found for.", Double(statistics.unattributed))
        one("image_unknown_events_total", "counter", "Events of containers whose image could not be read (checked against the default policy).", Double(statistics.imageUnknown))
        one("container_unknown_reports_total", "counter", "Seccomp records of processes no container could be found for, reported.", Double(statistics.containerUnknown))
        one("unparsable_syscall_events_total", "counter", "Events whose syscall number did not parse, reported as violations.", Double(statistics.unparsableSyscall))
        one(
            "state_files_refused_total", "counter", "Runtime state files refused for their size (their containers have no image name).",
            Double(statistics.stateFilesRefused))
        one("unguarded_containers_total", "counter", "Containers found without a callguard seccomp profile (reported container-unguarded).", Double(statistics.unguardedContainers))
        one("process_rules", "gauge", "Per-process audit rules loaded for containers.", Double(statistics.processRules))
        one("processes_over_cap_total", "counter", "Container processes left without per-process rules because the cap was reached.", Double(statistics.processesOverCap))
        one("attribution_misses_total", "counter", "Attribution cache misses (a /proc read).", Double(attributionMisses))
        one(
            "records_predating_their_process_total", "counter",
            "Records written before the process that has their pid now started (the pid reused while the agent was behind): answered with no container, never for that process.",
            Double(statistics.recordsBeforeTheirProcess))
        one(
            "fork_announcement_overflows_total", "counter",
            "Times the kernel's fork announcements overflowed the agent's buffer (short-lived processes then may go unattributed).",
            Double(statistics.forkAnnouncementOverflows))
        if let available = statistics.forkAnnouncements {
            one(
                "fork_announcements_available", "gauge",
                "1 when the agent receives the kernel's fork announcements; 0 when it could not subscribe (no CAP_NET_ADMIN at start), and a guarded container's short-lived processes may be reported with no container.",
                available ? 1 : 0)
        }
        if let sinks = statistics.sinks {
            one("sink_queue_depth", "gauge", "Violations waiting in memory.", Double(sinks.queueDepth))
            one("sink_spool_bytes", "gauge", "Bytes in the on-disk spool.", Double(sinks.spoolBytes))
            one("sink_errors_total", "counter", "Transport and spool failures.", Double(sinks.errors))
            metric(
                "sink_dropped_total", "counter", "Violations lost, by cause.",
                DropCause.allCases.map { ("{cause=\"\($0.rawValue)\"}", Double(sinks.droppedByCause[$0] ?? 0)) })
            metric(
                "sink_folded_total", "counter", "Violations folded into a throttle summary (delivered there, not lost), by cause.",
                FoldCause.allCases.map { ("{cause=\"\($0.rawValue)\"}", Double(sinks.foldedByCause[$0] ?? 0)) })
            one("sink_sent_total", "counter", "Messages handed to the transports.", Double(sinks.sent))
        }
        one("policy_reloads_total", "counter", "Successful policy reloads (SIGHUP).", Double(reloads))
        one("policy_reload_failures_total", "counter", "Policy reloads (SIGHUP) refused: policy errors or audit rules the kernel refused; the set in force stayed.", Double(failedReloads))
        one("policy_last_reload_success_timestamp_seconds", "gauge", "When the policies were last loaded successfully.", lastReloadSuccess)
        one("last_record_timestamp_seconds", "gauge", "When the reader last received records.", statistics.lastRecordTime)
        return out
    }

    private static func escape(_ value: String) -> String {
        var s = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": s += "\\\\"
            case "\"": s += "\\\""
            case "\n": s += "\\n"
            default: s.unicodeScalars.append(c)
            }
        }
        return s
    }
}
