import AuditKit
import PolicyKit
import SinkKit

/// The counters `replay --stats` and `run` (on SIGUSR1 and at exit) print:
/// one JSON object on one line of stderr.
public struct PipelineStatistics: Sendable {
    /// Records parsed.
    public var records: UInt64 = 0
    /// Events assembled.
    public var events: UInt64 = 0
    /// Malformed lines or records, counted and skipped.
    public var malformed = MalformedCounts()
    /// Events completed early because the open-event table was full.
    public var evicted: UInt64 = 0
    /// Events completed by timeout (their end never came).
    public var timedOut: UInt64 = 0
    /// Records dropped for being over an event's limits.
    public var droppedRecords: UInt64 = 0
    /// Serial numbers of the kernel's stream never seen: events lost (live only; part of ``lost``).
    public var serialGaps: UInt64 = 0
    /// Serials a replayed file lacks between two of its own (at most 4,096
    /// apart): left out by a filter or its writer, never counted as ``lost``.
    public var serialsMissing: UInt64 = 0
    /// Serial moves too far to account for: counter restarts, and in a file,
    /// jumps past the 4,096-serial window (their size is not claimed anywhere).
    public var serialJumps: UInt64 = 0
    /// Runtime state files refused for their size (their containers' images stay unknown).
    public var stateFilesRefused: UInt64 = 0
    /// Events the kernel reports lost (live only).
    public var kernelLost: UInt64 = 0
    /// Receive-buffer overruns (ENOBUFS) on the audit socket (live only).
    public var overruns: UInt64 = 0
    /// Wall-clock time (seconds since the epoch) of the last batch that held records (live only).
    public var lastRecordTime: Double = 0
    /// Violations found.
    public var violations: UInt64 = 0
    /// Events whose container could not be told (or, in replay, no image was assumed).
    public var unattributed: UInt64 = 0
    /// Events of containers no policy applies to (or whose image is not known yet), not checked.
    public var noPolicy: UInt64 = 0
    /// Events of a container runtime's bootstrap (runc init), not checked.
    public var runtimeBootstrap: UInt64 = 0
    /// Events of containers whose image could not be read, checked against the default policy.
    public var imageUnknown: UInt64 = 0
    /// Seccomp records of processes no container could be found for, reported all the same.
    public var containerUnknown: UInt64 = 0
    /// Events whose syscall number did not parse, reported as violations.
    public var unparsableSyscall: UInt64 = 0
    /// Delivery counters of the sinks (with the fold's counts as their `folded`).
    public var sinks: SinkCounters.Snapshot?
    /// Violations the fold (stage 6) folded into a later summary, by cause.
    public var foldedByCause: [FoldCause: Int] = [:]
    /// Containers reported `container-unguarded` (no callguard seccomp profile; `--rules auto`).
    public var unguardedContainers: UInt64 = 0
    /// Per-process audit rules loaded now (`--rules auto` or `containers`).
    public var processRules: UInt64 = 0
    /// Container processes left without per-process rules: the cap was reached.
    public var processesOverCap: UInt64 = 0
    /// Input bytes.
    public var bytes: UInt64 = 0
    /// Wall-clock seconds the run took.
    public var seconds: Double = 0
    /// Violations found, by policy name (the metrics endpoint's labels).
    public var violationsByPolicy: [String: UInt64] = [:]
    /// Attribution cache misses (each a /proc read).
    public var attributionMisses: UInt64 = 0
    /// Records written before the process that has their pid now started (the
    /// pid was reused while the agent was behind): answered with no container.
    public var recordsBeforeTheirProcess: UInt64 = 0
    /// Times the kernel's fork announcements overflowed the agent's buffer: the
    /// forks missed meanwhile leave short-lived processes possibly unattributed.
    public var forkAnnouncementOverflows: UInt64 = 0
    /// Whether the live agent receives the kernel's fork announcements (false:
    /// a guarded container's short-lived processes may be reported with no
    /// container); nil for a source without processes (`replay`).
    public var forkAnnouncements: Bool?
    /// Successful policy reloads (SIGHUP).
    public var reloads: UInt64 = 0
    /// Policy reloads refused (the set in force stayed).
    public var failedReloads: UInt64 = 0
    /// When the policies were last loaded successfully (seconds since the epoch).
    public var lastReloadSuccess: Double = 0

    public init() {}

    /// Sets the sinks' delivery counters, counting what the fold stage folded
    /// as the sinks' `folded` (the throttle that once ran in each sink).
    public mutating func takeSinks(_ snapshot: SinkCounters.Snapshot) {
        var merged = snapshot
        for (cause, n) in foldedByCause { merged.foldedByCause[cause, default: 0] += n }
        sinks = merged
    }

    /// Everything counted as lost: kernel drops, socket overruns and the kernel
    /// stream's serial gaps (never the serials a replayed file lacks).
    public var lost: UInt64 { kernelLost &+ overruns &+ serialGaps }

    /// The statistics as one line of JSON (no trailing newline), keys in a fixed order.
    public var jsonLine: String { json.serialized() }

    /// The statistics as a JSON object (the stats line's names).
    public var json: JSONValue {
        let rate = seconds > 0 ? Double(records) / seconds : 0
        let megabytes = seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0
        var fields: [(String, JSONValue)] = [
            ("records", .count(records)), ("events", .count(events)), ("malformed", .count(malformed.total)),
            ("evicted", .count(evicted)), ("lost", .count(lost)), ("violations", .count(violations)),
            ("seconds", .real(Self.rounded(seconds))), ("records_per_second", .count(UInt64(rate))),
            ("bytes", .count(bytes)), ("megabytes_per_second", .real(Self.rounded(megabytes))),
            ("timed_out", .count(timedOut)), ("dropped_records", .count(droppedRecords)),
            ("serial_gaps", .count(serialGaps)), ("serials_missing", .count(serialsMissing)),
            ("serial_jumps", .count(serialJumps)), ("state_files_refused", .count(stateFilesRefused)),
            ("kernel_lost", .count(kernelLost)), ("overruns", .count(overruns)), ("unattributed", .count(unattributed)),
            ("runtime_bootstrap", .count(runtimeBootstrap)), ("no_policy", .count(noPolicy)),
            ("image_unknown", .count(imageUnknown)), ("container_unknown", .count(containerUnknown)),
            ("unparsable_syscall", .count(unparsableSyscall)), ("unguarded_containers", .count(unguardedContainers)),
            ("process_rules", .count(processRules)), ("processes_over_cap", .count(processesOverCap)),
            ("malformed_by_reason", .fields(malformed.byName.map { ($0.0, .count($0.1)) })),
        ]
        if let sinks { fields.append(("sinks", Self.json(sinks))) }
        return .fields(fields)
    }

    private static func json(_ s: SinkCounters.Snapshot) -> JSONValue {
        func count(_ n: Int) -> JSONValue { .count(n) }
        return .fields([
            ("sent", count(s.sent)), ("spooled", count(s.spooled)), ("dropped", count(s.dropped)),
            ("errors", count(s.errors)), ("folded", count(s.folded)), ("queue_depth", count(s.queueDepth)),
            ("spool_bytes", count(s.spoolBytes)), ("resent", count(s.resent)), ("held", count(s.held)),
            ("unconfirmed", count(s.unconfirmed)), ("spool_messages", count(s.spoolMessages)),
            ("dropped_by_cause", .fields(DropCause.allCases.map { ($0.rawValue, count(s.droppedByCause[$0] ?? 0)) })),
            ("folded_by_cause", .fields(FoldCause.allCases.map { ($0.rawValue, count(s.foldedByCause[$0] ?? 0)) })),
        ])
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
