import AuditKit
import ContainerKit
import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization

/// `callguard learn`: observes the live containers of one image and counts the
/// syscalls they make.
///
/// Bounded by construction: no rule without a process. Every
/// ``LearnConfiguration/rescanInterval`` it reads `/proc`, finds the processes
/// of the image's containers (ContainerKit), and keeps `-S all -F pid=P` and
/// `-S all -F ppid=P` rules (key `callguard`) for exactly those, within the
/// rule cap (``ProcessRulePlan``). A reader thread attributes each event and
/// counts only the image's containers, leaving runc's bootstrap out. When the
/// duration ends, or on SIGINT/SIGTERM, the audit session restores the
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
    public func run() throws(LearnError) -> LearnObservation {
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
        let deadline = started + configuration.duration
        let tally = LearnTally(attributor: Attributor(), matcher: matcher)
        let assembler = EventAssembler(configuration: .netlink) { tally.add($0) }
        var lastSweep = LiveAgent.monotonicSeconds()
        let owned = LearnReaderState(
            AgentConsumer(
                assembling: AssemblingConsumer(assembler: assembler),
                afterBatch: { _ in
                    let now = LiveAgent.monotonicSeconds()
                    if now - lastSweep > 1 {
                        lastSweep = now
                        tally.sweep()
                    }
                },
                beforeBatch: { tally.beginBatch() }))
        let reader = session.reader
        let readerFailure = Mutex<AuditError?>(nil)
        let readerDone = DispatchSemaphore(value: 0)
        let wake = DispatchSemaphore(value: 0)
        let stopRequested = Atomic<Bool>(false)
        let thread = Thread {
            do throws(AuditError) {
                try reader.run(&owned.consumer)
            } catch {
                readerFailure.withLock { $0 = error }
                stopRequested.store(true, ordering: .releasing)
                wake.signal()
            }
            readerDone.signal()
        }
        thread.name = "callguard-learn-reader"
        thread.start()

        let signals = SignalHandlers()
        signals.on(SIGTERM) {
            stopRequested.store(true, ordering: .releasing)
            wake.signal()
        }
        signals.on(SIGINT) {
            stopRequested.store(true, ordering: .releasing)
            wake.signal()
        }

        var observation = LearnObservation()
        var plan = ProcessRulePlan(arches: configuration.arches, maximumRules: configuration.maximumRules)
        let scanner = Attributor()
        let proc = ProcFileSystem()
        let me = UInt32(getpid())
        var warnedNone = false
        var warnedCap = false
        logger.info("learning image \(configuration.image) for \(configuration.duration)")
        while !stopRequested.load(ordering: .acquiring) && ContinuousClock.now < deadline {
            let (live, containers) = scan(scanner, proc)
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
            let next = min(deadline, ContinuousClock.now + configuration.rescanInterval)
            let wait = next - ContinuousClock.now
            if wait > .zero {
                let ns = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
                _ = wake.wait(timeout: .now() + .nanoseconds(Int(ns)))
            }
        }
        signals.cancel()
        observation.processesOverCap = plan.processesOverCap
        observation.kernelLost = (try? session.kernelLostSinceStart()) ?? 0
        let failures = session.stop()
        for failure in failures { logger.error("restoring audit state: \(failure.description)") }
        if reader.waker.isReaderRunning {
            // The reader still holds the consumer: do not touch it.
            throw LearnError("the audit reader did not stop; nothing was written. Check `auditctl -l` for rules with key callguard")
        }
        readerDone.wait()
        assembler.flush()
        if let failure = readerFailure.withLock({ $0 }) {
            logger.error("the audit reader stopped early: \(failure.description)")
        }
        let elapsed = ContinuousClock.now - started
        observation.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let named = tally.named()
        observation.counts = named.counts
        observation.unnamed = named.unnamed
        observation.containers.formUnion(tally.containers)
        observation.events = tally.events
        observation.runtimeBootstrap = tally.runtimeBootstrap
        observation.ignored = tally.ignored
        observation.malformed = tally.malformed &+ owned.consumer.assembling.malformed.total
        logger.info("restored the kernel's audit state; \(observation.events) syscall event(s) from \(observation.containers.count) container(s)")
        return observation
    }

    /// The pids of the image's containers that exist now, and those containers' ids.
    private func scan(_ scanner: Attributor, _ proc: ProcFileSystem) -> (Set<Int32>, Set<String>) {
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

/// Hands the consumer to the reader thread; the owner touches it again only
/// after that thread has returned.
private final class LearnReaderState: @unchecked Sendable {
    var consumer: AgentConsumer
    init(_ consumer: AgentConsumer) { self.consumer = consumer }
}
