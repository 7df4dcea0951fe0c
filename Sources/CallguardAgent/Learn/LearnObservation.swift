import AuditKit
import PolicyKit

/// What one learning run saw: the calls per syscall name of the image's
/// containers, and how complete the observation was.
public struct LearnObservation: Sendable {
    /// Calls per syscall name (every arch together).
    public var counts: [String: UInt64] = [:]
    /// Ids of the image's containers that ran while learning.
    public var containers: Set<String> = []
    /// Syscall events counted for the image.
    public var events: UInt64 = 0
    /// Events of the runtime's bootstrap (runc init), left out.
    public var runtimeBootstrap: UInt64 = 0
    /// Events of other images, the host, or processes that could not be attributed, left out.
    public var ignored: UInt64 = 0
    /// Syscall numbers libaudit has no name for (`arch:number`), left out.
    public var unnamed: Set<String> = []
    /// The most processes that had rules at once.
    public var peakTrackedProcesses = 0
    /// Process sightings left without rules because the rule cap was reached.
    public var processesOverCap = 0
    /// Rules the kernel refused (distinct messages).
    public var refusals: Set<String> = []
    /// Records the kernel dropped while learning (backlog full or rate limit).
    public var kernelLost: UInt32 = 0
    /// Records that did not parse.
    public var malformed: UInt64 = 0
    /// How long it observed, in seconds.
    public var seconds: Double = 0

    public init() {}
}

extension LearnObservation {
    /// The observation as `learn`'s statistics line: `{"learn":{...}}`.
    public var json: JSONValue {
        func n(_ value: Int) -> JSONValue { .count(value) }
        return .fields([
            (
                "learn",
                .fields([
                    ("containers", n(containers.count)), ("events", .count(events)), ("syscalls", n(counts.count)),
                    ("runtime_bootstrap", .count(runtimeBootstrap)), ("ignored", .count(ignored)),
                    ("unnamed", n(unnamed.count)), ("peak_processes", n(peakTrackedProcesses)),
                    ("processes_over_cap", n(processesOverCap)), ("rules_refused", n(refusals.count)),
                    ("lost", .count(UInt64(kernelLost))), ("malformed", .count(malformed)), ("seconds", .real(seconds)),
                ])
            )
        ])
    }
}
