import AuditKit
import ContainerKit
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `callguard learn`: observes the live containers of one image and counts the
/// syscalls they make.
///
/// Bounded by construction: no rule without a process. Every
/// ``LearnConfiguration/rescanInterval`` it reads `/proc`, finds the processes
/// of the image's containers (ContainerKit), and keeps `-S all -F pid=P` and
/// `-S all -F ppid=P` rules (key `callguard`) for exactly those, within the
/// rule cap (``ProcessRulePlan``). It runs the same services as `run` — the
/// reader (the pipeline, ending in a ``LearnTally`` instead of the sinks),
/// the attribution sweep — plus the rescan and the duration's deadline. When
/// the duration ends, or on SIGINT/SIGTERM, the audit session restores the
/// kernel's state. Without any container of the image, it waits for one until
/// the duration ends.
public final class LiveLearner: @unchecked Sendable {
    private let configuration: LearnConfiguration
    private let matcher: ImageMatcher
    private let logger: Logger

    public init(configuration: LearnConfiguration, logger: Logger) throws(LearnError) {
        self.configuration = configuration
        self.matcher = try ImageMatcher(configuration.image)
        self.logger = logger
    }

    /// Observes until the duration ends or SIGINT/SIGTERM arrives; returns
    /// what it saw, after the kernel's audit state is restored.
    public func run() async throws(LearnError) -> LearnObservation {
        var sessionConfiguration = AuditSessionConfiguration(socketMode: configuration.socketMode, rules: [])
        sessionConfiguration.excludeOwnPid = true
        let session: AuditSession
        do {
            session = try AuditSession.start(sessionConfiguration)
        } catch {
            throw LearnError("cannot start the audit session: \(error.description)")
        }
        if session.isLocked {
            session.stop()
            throw LearnError(
                "the kernel's audit configuration is locked (enabled=2): learn cannot install its per-process rules until reboot")
        }
        for note in session.notes { logger.notice("\(note)") }
        if session.removedLeftovers > 0 { logger.notice("removed \(session.removedLeftovers) rule(s) left by an earlier run") }

        let started = ContinuousClock.now
        let tally = LearnTally(attributor: Attributor(), matcher: matcher)
        let pipeline = AuditPipeline(.netlink, stage: tally)
        let follower = RuleFollower(configuration: configuration, matcher: matcher, session: session, logger: logger)
        let kernelLost = Mutex<UInt32>(0)
        let reader = ReaderService(
            session: session, pipeline: pipeline, threadName: "callguard-learn-reader", logger: logger
        ) { [logger] in
            follower.gate.close {
                kernelLost.withLock { $0 = (try? session.kernelLostSinceStart()) ?? 0 }
                for failure in session.stop() { logger.error("restoring audit state: \(failure.description)") }
            }
        }
        let housekeeping = pipeline.housekeeping
        // Start order; graceful shutdown runs in reverse: the deadline, the
        // sweep, the rescan (no rule goes in after it), then the reader
        // (which restores the kernel's audit state).
        let parts: [(any Service, String)] = [
            (reader, "reader"),
            (TimerService(every: configuration.rescanInterval, immediately: true) { follower.gate.ifOpen { follower.rescan() } }, "rescan"),
            (TimerService(every: .seconds(1)) { housekeeping.requestSweep() }, "attribution-sweep"),
            (DeadlineService(after: configuration.duration), "duration"),
            // Said once SIGTERM and SIGINT are trapped: a signal sent on it stops learning cleanly.
            (StartedService { [logger, configuration] in logger.info("learning image \(configuration.image) for \(configuration.duration)") }, "started"),
        ]
        await AgentServices.run(parts, logger: logger)
        if session.reader.waker.isReaderRunning {
            throw LearnError("the audit reader did not stop; nothing was written. Check `auditctl -l` for rules with key callguard")
        }
        var observation = follower.observation
        observation.kernelLost = kernelLost.withLock { $0 }
        let elapsed = ContinuousClock.now - started
        observation.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let named = tally.named()
        observation.counts = named.counts
        observation.unnamed = named.unnamed
        observation.containers.formUnion(tally.containers)
        observation.events = tally.events
        observation.runtimeBootstrap = tally.runtimeBootstrap
        observation.ignored = tally.ignored
        observation.malformed = tally.malformed &+ pipeline.assembly.malformed.total
        logger.info("restored the kernel's audit state; \(observation.events) syscall event(s) from \(observation.containers.count) container(s)")
        return observation
    }
}

/// The rescan: keeps per-process rules for exactly the image's live processes.
/// Called by one service, one call at a time.
private final class RuleFollower: @unchecked Sendable {
    private let configuration: LearnConfiguration
    private let matcher: ImageMatcher
    private let session: AuditSession
    private let logger: Logger
    private var plan: ProcessRulePlan
    private let scanner = Attributor()
    private let proc = ProcFileSystem()
    private let me = UInt32(getpid())
    private var warnedNone = false
    private var warnedCap = false
    private let state = Mutex(LearnObservation())
    /// No rule goes in once the session has stopped.
    let gate = SessionGate()

    init(configuration: LearnConfiguration, matcher: ImageMatcher, session: AuditSession, logger: Logger) {
        self.configuration = configuration
        self.matcher = matcher
        self.session = session
        self.logger = logger
        plan = ProcessRulePlan(arches: configuration.arches, maximumRules: configuration.maximumRules)
    }

    /// What the rescans saw (containers, refusals, peak and over-cap counts).
    var observation: LearnObservation {
        var o = state.withLock { $0 }
        o.processesOverCap = plan.processesOverCap
        return o
    }

    func rescan() {
        let (live, containers) = scan()
        var observation = state.withLock { $0 }
        observation.containers.formUnion(containers)
        if live.isEmpty && observation.containers.isEmpty && !warnedNone {
            warnedNone = true
            logger.notice("no container of image \(configuration.image) runs yet; waiting for one until the duration ends")
        }
        let change = plan.update(to: live)
        for rule in change.remove {
            // ENOENT (never loaded) is fine: the goal is that it is gone.
            try? session.control.remove(rule, excludingPid: me)
        }
        let report = session.control.install(change.add, excludingPid: me)
        for refusal in report.refused where observation.refusals.insert(refusal.error.message).inserted {
            logger.warning("\(refusal.description)")
        }
        observation.peakTrackedProcesses = max(observation.peakTrackedProcesses, plan.tracked.count)
        if plan.processesOverCap > 0 && !warnedCap {
            warnedCap = true
            logger.warning(
                "rule cap of \(configuration.maximumRules) reached: some processes of the image are not observed (raise --max-rules)")
        }
        state.withLock { $0 = observation }
    }

    /// The pids of the image's containers that exist now, and those containers' ids.
    private func scan() -> (Set<Int32>, Set<String>) {
        scanner.sweep(maxProcesses: 4096)
        var pids: Set<Int32> = []
        var containers: Set<String> = []
        for pid in proc.allPids() {
            scanner.processSeen(pid: pid)
            guard case .container(let info) = scanner.attribute(pid: pid, ppid: 0), matcher.matches(info.imageName)
            else { continue }
            pids.insert(pid)
            containers.insert(info.id)
        }
        return (pids, containers)
    }
}
