import AuditKit

/// Which audit rules learning keeps in the kernel: for each tracked process,
/// every syscall it makes (`-S all -F pid=P`) and every syscall of its
/// children (`-S all -F ppid=P`), on each audited arch, all with key
/// `callguard`. Bounded: never more than ``maximumRules`` rules, and never a
/// rule without a pid/ppid condition.
///
/// ``update(to:)`` takes the processes that live now and returns the rules to
/// add and remove; processes beyond the cap are left out and counted.
public struct ProcessRulePlan: Sendable {
    /// The arches audited per process.
    public let arches: [AuditRule.Arch]
    /// The most rules installed at once.
    public let maximumRules: Int
    /// The processes that have rules now, in the order they were added.
    public private(set) var tracked: [Int32] = []
    /// Processes left without rules because the cap was reached (each counted once per update).
    public private(set) var processesOverCap = 0

    public init(arches: [AuditRule.Arch] = AuditRule.Arch.onHost, maximumRules: Int = 200) {
        self.arches = arches
        self.maximumRules = maximumRules
    }

    /// Rules per tracked process.
    public var rulesPerProcess: Int { 2 * arches.count }

    /// The rules for one process.
    public func rules(for pid: Int32) -> [AuditRule] {
        arches.flatMap { arch in
            ["pid", "ppid"].map { field in
                AuditRule(arch: arch, syscalls: [.all], fields: [.equal(field, pid)], key: AuditRule.callguardKey)
            }
        }
    }

    /// Moves to tracking `live` (the processes of the learned containers that
    /// exist now): returns the rules of processes gone (to remove) and of new
    /// ones (to add), keeping within ``maximumRules``.
    public mutating func update(to live: Set<Int32>) -> (remove: [AuditRule], add: [AuditRule]) {
        var remove: [AuditRule] = []
        var kept: [Int32] = []
        for pid in tracked {
            if live.contains(pid) { kept.append(pid) } else { remove += rules(for: pid) }
        }
        var add: [AuditRule] = []
        let capacity = rulesPerProcess == 0 ? 0 : maximumRules / rulesPerProcess
        let keptSet = Set(kept)
        for pid in live.sorted() where !keptSet.contains(pid) {
            guard kept.count < capacity else {
                processesOverCap += 1
                continue
            }
            kept.append(pid)
            add += rules(for: pid)
        }
        tracked = kept
        return (remove, add)
    }

    /// Forgets a process whose rules could not be loaded (so that the next
    /// update tries again).
    public mutating func drop(_ pid: Int32) {
        tracked.removeAll { $0 == pid }
    }
}
