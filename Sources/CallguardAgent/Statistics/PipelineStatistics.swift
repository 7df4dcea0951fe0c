import AuditKit
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
    /// Delivery counters of the sinks.
    public var sinks: SinkCounters.Snapshot?
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

    public init() {}

    /// Everything counted as lost: kernel drops, socket overruns and the kernel
    /// stream's serial gaps (never the serials a replayed file lacks).
    public var lost: UInt64 { kernelLost &+ overruns &+ serialGaps }

    /// The statistics as one line of JSON (no trailing newline).
    public var jsonLine: String {
        let rate = seconds > 0 ? Double(records) / seconds : 0
        let megabytes = seconds > 0 ? Double(bytes) / 1_000_000 / seconds : 0
        var reasons = malformed.byName.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
        reasons = "{\(reasons)}"
        return "{\"records\":\(records),\"events\":\(events),\"malformed\":\(malformed.total),"
            + "\"evicted\":\(evicted),\"lost\":\(lost),\"violations\":\(violations),"
            + "\"seconds\":\(format(seconds)),\"records_per_second\":\(Int(rate)),"
            + "\"bytes\":\(bytes),\"megabytes_per_second\":\(format(megabytes)),"
            + "\"timed_out\":\(timedOut),\"dropped_records\":\(droppedRecords),"
            + "\"serial_gaps\":\(serialGaps),\"serials_missing\":\(serialsMissing),\"serial_jumps\":\(serialJumps),\"state_files_refused\":\(stateFilesRefused),"
            + "\"kernel_lost\":\(kernelLost),\"overruns\":\(overruns),\"unattributed\":\(unattributed),\"runtime_bootstrap\":\(runtimeBootstrap),\"no_policy\":\(noPolicy),"
            + "\"image_unknown\":\(imageUnknown),\"container_unknown\":\(containerUnknown),\"unparsable_syscall\":\(unparsableSyscall),"
            + "\"unguarded_containers\":\(unguardedContainers),\"process_rules\":\(processRules),\"processes_over_cap\":\(processesOverCap),"
            + "\"malformed_by_reason\":\(reasons)" + (sinks.map { ",\"sinks\":\($0.description)" } ?? "") + "}"
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return String(scaled)
    }
}
