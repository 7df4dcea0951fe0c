import AuditKit
import ContainerKit
import Foundation
import Glibc
import Logging
import PolicyKit
import SinkKit
import Synchronization

/// Keeps bounded per-process audit rules for the containers that need them
/// (`--rules auto`: the unguarded ones; `containers`: all) and reports
/// unguarded containers (`auto`, `none`), on its own thread.
///
/// Every ``interval`` it scans the running containers (``RunningContainers``),
/// reports each unguarded container once (``UnguardedReport``, under `auto` and `none`),
/// and moves the kernel's per-process rules to what the containers' processes
/// need now: for each process, `-F pid=P` and `-F ppid=P` rules (one per arch)
/// on the syscalls its container's policy does not allow, so that its
/// violations and those of children started before the next scan are seen.
/// At most ``maximumRules`` rules; processes beyond are said once per
/// container and counted. Rules of processes gone are removed.
///
/// It also tells the assembler whether any syscall rule (ours or another
/// tool's) is loaded (``exitRulesLoaded``), so that SECCOMP records are handed
/// on at once when none is. A container started and finished between two
/// scans is never seen: that window is ``interval`` (the OCI hook's
/// `hookFailure: deny` closes it).
public final class ContainerRuleKeeper: @unchecked Sendable {
    /// What the keeper did so far.
    public struct Counters: Sendable, Equatable {
        /// Containers reported `container-unguarded`.
        public var unguardedContainers: UInt64 = 0
        /// Per-process rules loaded now.
        public var rulesLoaded: Int = 0
        /// Processes left without rules because the cap was reached (counted once per process).
        public var processesOverCap: UInt64 = 0
        /// Rules the kernel or libaudit refused.
        public var rulesRefused: UInt64 = 0
        /// Scans done.
        public var scans: UInt64 = 0
    }

    public let mode: RuleMode
    public let interval: Double
    public let maximumRules: Int

    private let control: AuditControl
    private let store: PolicyStore
    private let containers: RunningContainers
    private let report: (Violation) -> Void
    private let hostName: String
    private let logger: Logger
    private let compiler = RuleCompiler()
    private let stampRegistry: ProfileDigestRegistry
    private let published = Mutex(Counters())
    private let exitRules = Atomic<Bool>(true)
    private let stopRequest = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var thread: Thread?

    // Owned by the keeper's thread.
    private var installed = Set<AuditRule>()
    /// The container info each report was made for: a restart (a new info) is reported again.
    private var reported: [String: ContainerInfo] = [:]
    private var overCapSaid = Set<String>()
    private var overCapPids = Set<Int32>()
    private var firstSeen: [String: UInt64] = [:]
    private var seenCounter: UInt64 = 0
    private var noSyscallRuleScans = 0
    private var counters = Counters()

    /// A keeper for `mode` (which must scan containers, or only census the
    /// kernel's rules: `none` and `system` load no per-process rule).
    public init(
        mode: RuleMode, control: AuditControl, store: PolicyStore, resolver: ContainerResolver,
        hostName: String, logger: Logger, interval: Double = 1, maximumRules: Int = 200,
        stampRegistry: ProfileDigestRegistry = .shared, report: @escaping (Violation) -> Void
    ) {
        self.stampRegistry = stampRegistry
        self.mode = mode
        self.control = control
        self.store = store
        self.containers = RunningContainers(resolver: resolver)
        self.hostName = hostName
        self.logger = logger
        self.interval = interval
        self.maximumRules = maximumRules
        self.report = report
    }

    /// Whether a syscall rule may be loaded (for ``AuditKit/EventAssembler/exitRulesLoaded``).
    /// True until a census says otherwise, and it turns false only after two
    /// scans in a row found none (a syscall that entered while a rule was
    /// loaded still brings its SYSCALL record).
    public var exitRulesLoaded: Bool { exitRules.load(ordering: .relaxed) }

    /// What the keeper did so far.
    public var snapshot: Counters { published.withLock { $0 } }

    /// One scan now (the first, before the reader starts), then one every
    /// ``interval`` on the keeper's own thread until ``stop()``.
    public func start() {
        tick(first: true)
        let thread = Thread { [self] in
            while stopRequest.wait(timeout: .now() + interval) == .timedOut { tick(first: false) }
            finished.signal()
        }
        thread.name = "callguard-rules"
        self.thread = thread
        thread.start()
    }

    /// Stops the thread. The rules stay: the session removes every rule with
    /// callguard's key when it stops.
    public func stop() {
        guard thread != nil else { return }
        stopRequest.signal()
        finished.wait()
        thread = nil
    }

    private func tick(first: Bool) {
        if mode.scansContainers { keepRules() }
        census(first: first)
        counters.scans &+= 1
        counters.rulesLoaded = installed.count
        let now = counters
        published.withLock { $0 = now }
    }

    /// Whether any syscall rule is loaded, ours or another tool's.
    private func census(first: Bool) {
        let any: Bool
        if !installed.isEmpty || mode == .system {
            any = true
        } else {
            do throws(AuditError) {
                any = try control.kernelRules().contains(where: \.isSyscallRule)
            } catch {
                any = true
            }
        }
        noSyscallRuleScans = any ? 0 : noSyscallRuleScans + 1
        exitRules.store(any || (!first && noSyscallRuleScans < 2), ordering: .relaxed)
    }

    private func keepRules() {
        let running = containers.scan()
        let set = store.current
        var wanted: [AuditRule] = []
        var wantedSet = Set<AuditRule>()
        // The hook's stamp records of containers gone for an hour (one scan a minute looks).
        if counters.scans % 60 == 0, let directory = stampRegistry.stampDirectory {
            HookStampLedger.prune(keeping: Set(running.keys), olderThan: 3600, stateDirectory: directory)
        }
        for id in running.keys where firstSeen[id] == nil {
            seenCounter += 1
            firstSeen[id] = seenCounter
        }
        firstSeen = firstSeen.filter { running[$0.key] != nil }
        reported = reported.filter { running[$0.key] != nil }
        overCapSaid.formIntersection(running.keys)
        let alive = Set(running.values.flatMap(\.pids))
        overCapPids.formIntersection(alive)
        // Oldest containers first, so that a newcomer never takes an older one's rules.
        for entry in running.values.sorted(by: { firstSeen[$0.info.id]! < firstSeen[$1.info.id]! }) {
            let info = entry.info
            let policy = info.imageName.map { set.policy(forImage: $0, digest: info.imageDigest) } ?? set.defaultPolicy
            // The annotations alone are the creator's word: the hook's own record must back them, and
            // the filter must be the policy the agent judges the container by (not another image's).
            let guarded = stampRegistry.verifiedStamp(of: info).map { $0.policy == policy?.name } ?? false
            if mode != .containers && guarded { continue }
            // A container whose runtime state is not readable yet gets rules
            // (its profile is not known), and is reported once it is resolved.
            if mode.reportsUnguarded, info.isResolved, reported[info.id] !== info {
                reported[info.id] = info
                counters.unguardedContainers &+= 1
                let consequence = mode.loadsProcessRules ? "its processes get per-process audit rules" : "it is not checked (--rules none)"
                logger.warning(
                    "container \(info.id.prefix(12)) (\(info.imageName ?? "image unknown")) runs without a callguard seccomp profile: reported as \(UnguardedReport.action); \(consequence)")
                report(UnguardedReport.make(entry, policy: policy, hostName: hostName))
            }
            guard mode.loadsProcessRules, let policy else { continue }  // none, or no policy applies: no rule
            for pid in entry.pids {
                let rules = ["pid", "ppid"].flatMap { field in
                    compiler.rules(notAllowedBy: policy, fields: [.equal(field, pid)])
                }
                guard wanted.count + rules.count <= maximumRules else {
                    if overCapPids.insert(pid).inserted { counters.processesOverCap &+= 1 }
                    if overCapSaid.insert(info.id).inserted {
                        logger.warning(
                            "container \(info.id.prefix(12)): the cap of \(maximumRules) per-process audit rules is reached; its processes beyond it are not checked until others exit")
                    }
                    continue
                }
                wanted += rules
                wantedSet.formUnion(rules)
            }
        }
        for rule in installed.subtracting(wantedSet) {
            do throws(AuditError) {
                try control.remove(rule)
            } catch {
                // ENOENT: gone already (removed by hand); anything else: kept, tried again next scan.
                if error.errno != ENOENT {
                    logger.error("removing a per-process audit rule: \(error.description)")
                    continue
                }
            }
            installed.remove(rule)
        }
        let missing = wanted.filter { !installed.contains($0) }
        guard !missing.isEmpty else { return }
        let loaded = control.install(missing)
        installed.formUnion(loaded.installed)
        for refusal in loaded.refused {
            counters.rulesRefused &+= 1
            // A process that exited between the scan and the load is no error.
            logger.debug("\(refusal.description)")
        }
    }
}
