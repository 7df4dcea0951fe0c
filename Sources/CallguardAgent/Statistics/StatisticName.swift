import AuditKit
import SinkKit

/// The one naming scheme of the agent's statistics: each published field of
/// ``PipelineStatistics`` and the registry metric it is kept in (Prometheus
/// names; the stats JSON keeps its own short keys, in ``PipelineStatistics/json``).
enum StatisticName {
    /// A count and the metric that holds it.
    struct Count: @unchecked Sendable {
        var field: WritableKeyPath<PipelineStatistics, UInt64>
        var label: String
        var dimensions: [(String, String)] = []
    }

    /// A value that is set, not added to (times).
    struct Level: @unchecked Sendable {
        var field: WritableKeyPath<PipelineStatistics, Double>
        var label: String
    }

    static let counts: [Count] = [
        Count(field: \.records, label: "callguard_records_total"),
        Count(field: \.events, label: "callguard_events_total"),
        Count(field: \.evicted, label: "callguard_evicted_events_total"),
        Count(field: \.timedOut, label: "callguard_timed_out_events_total"),
        Count(field: \.droppedRecords, label: "callguard_dropped_records_total"),
        Count(field: \.serialGaps, label: "callguard_lost_total", dimensions: [("source", "serial_gap")]),
        Count(field: \.kernelLost, label: "callguard_lost_total", dimensions: [("source", "kernel")]),
        Count(field: \.overruns, label: "callguard_lost_total", dimensions: [("source", "enobufs")]),
        Count(field: \.serialsMissing, label: "callguard_serials_missing_total"),
        Count(field: \.serialJumps, label: "callguard_serial_jumps_total"),
        Count(field: \.stateFilesRefused, label: "callguard_state_files_refused_total"),
        Count(field: \.violations, label: "callguard_violations_found_total"),
        Count(field: \.unattributed, label: "callguard_unattributed_events_total"),
        Count(field: \.noPolicy, label: "callguard_no_policy_events_total"),
        Count(field: \.runtimeBootstrap, label: "callguard_runtime_bootstrap_events_total"),
        Count(field: \.imageUnknown, label: "callguard_image_unknown_events_total"),
        Count(field: \.containerUnknown, label: "callguard_container_unknown_reports_total"),
        Count(field: \.unparsableSyscall, label: "callguard_unparsable_syscall_events_total"),
        Count(field: \.attributionMisses, label: "callguard_attribution_misses_total"),
        Count(field: \.recordsBeforeTheirProcess, label: "callguard_records_predating_their_process_total"),
        Count(field: \.forkAnnouncementOverflows, label: "callguard_fork_announcement_overflows_total"),
        Count(field: \.reloads, label: "callguard_policy_reloads_total"),
        Count(field: \.failedReloads, label: "callguard_policy_reload_failures_total"),
        Count(field: \.bytes, label: "callguard_input_bytes_total"),
    ]

    static let levels: [Level] = [
        Level(field: \.lastRecordTime, label: "callguard_last_record_timestamp_seconds"),
        Level(field: \.lastReloadSuccess, label: "callguard_policy_last_reload_success_timestamp_seconds"),
        Level(field: \.seconds, label: "callguard_run_seconds"),
    ]

    /// Violations by policy: `{policy="NAME"}`.
    static let violationsByPolicy = "callguard_violations_total"
    /// Malformed records by reason: `{reason="NAME"}`.
    static let malformedByReason = "callguard_malformed_records_total"
    /// Violations the fold stage folded, by cause: `{cause="NAME"}`.
    static let foldedByCause = "callguard_folded_total"
}
