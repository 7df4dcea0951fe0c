import AuditKit
import ContainerKit
import Dispatch
import Foundation
import Glibc
import Logging
import PolicyKit
import SinkKit
import Synchronization

/// `callguard run`: the long-running agent on the live kernel.
///
/// Start-up in order: the policies (already checked by the caller), the sinks,
/// a scan of running containers, the audit session (socket, settings, the
/// compiled rules), then the reader thread. SIGTERM/SIGINT stop reading, hand
/// the last events on, drain the sinks (bounded) and restore the kernel's audit
/// state; SIGHUP reloads the policies atomically (new rules first, the old set
/// stays on any error) and reopens file sinks; SIGUSR1 prints statistics.
public final class LiveAgent: @unchecked Sendable {
    /// Why the agent could not start.
    public struct StartupError: Error, CustomStringConvertible {
        public var description: String
    }

    private let configuration: AgentConfiguration
    private let policiesDirectory: String
    private let store: PolicyStore
    private let logger: Logger
    private let snapshot = Mutex(PipelineStatistics())
    /// What the metrics endpoint shows besides the statistics.
    private struct AgentState {
        var violationsByPolicy: [String: UInt64] = [:]
        var attributionMisses: UInt64 = 0
        var reloads: UInt64 = 0
        var failedReloads: UInt64 = 0
        var lastReloadSuccess: Double = LiveAgent.wallClockSeconds()
    }
    private let state = Mutex(AgentState())
    private let started = ContinuousClock.now
    /// Per-process rules and the exit-rule census (``RuleMode``); set once before the reader starts.
    private var keeper: ContainerRuleKeeper?

    /// An agent for `policies` (loaded from `policiesDirectory`, which SIGHUP reloads).
    public init(configuration: AgentConfiguration, policies: PolicySet, policiesDirectory: String, logger: Logger) {
        self.configuration = configuration
        self.policiesDirectory = policiesDirectory
        self.store = PolicyStore(policies)
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT (or until the audit socket fails); returns
    /// the final statistics after the kernel's audit state is restored.
    public func run() throws(StartupError) -> PipelineStatistics {
        let hostName = SinkConfiguration.systemHostName()
        let sinks: SinkSet
        do {
            sinks = try SinkSet(configuration, hostName: hostName, logger: logger)
        } catch {
            throw StartupError(description: error.description)
        }

        var attributorConfiguration = Attributor.Configuration()
        attributorConfiguration.processCapacity = configuration.processCacheSize
        // A new container's first syscalls come within milliseconds of its
        // creation: look its image up again at once (the runtime's state file is
        // re-read only when it changed), not after the default second, or those
        // syscalls go unchecked.
        attributorConfiguration.resolveRetryInterval = 0.02
        let resolver = ContainerResolver(roots: configuration.stateRoots, minReloadInterval: 0)
        let attributor = Attributor(resolver: resolver, configuration: attributorConfiguration)
        let running = attributor.scanRunningProcesses()
        let unmatched = running.filter { info in info.imageName.flatMap { store.current.policy(forImage: $0, digest: info.imageDigest) } == nil }
        logger.info(
            "\(running.count) running container(s); \(unmatched.count) match no policy and are not checked",
            metadata: unmatched.isEmpty ? nil : ["unmatched": .string(unmatched.map { "\($0.id.prefix(12)) \($0.imageName ?? "?")" }.joined(separator: ", "))])

        ProfileDelivery.publish(store.current, configuration: configuration.profileDelivery, logger: logger)
        let compiled = RuleCompiler().compile(store.current)
        var sessionConfiguration = AuditSessionConfiguration(
            socketMode: configuration.socketMode, rules: configuration.ruleMode == .system ? compiled.rules : [])
        sessionConfiguration.backlogLimit = configuration.backlogLimit
        sessionConfiguration.backlogWaitTime = configuration.backlogWaitTime
        let session: AuditSession
        do {
            session = try AuditSession.start(sessionConfiguration)
        } catch {
            sinks.shutdown(timeout: 1)
            throw StartupError(description: error.description)
        }
        logger.info("audit rules: \(configuration.ruleMode)")
        for summary in compiled.summaries where configuration.ruleMode == .system {
            logger.info("audit rules for \(summary.arch): \(summary.audited) syscalls audited, \(summary.skipped) skipped (every policy allows them)")
        }
        logger.info("\(session.ruleReport.installed.count) rule(s) installed with key \(AuditRule.callguardKey); socket \(configuration.socketMode.rawValue)")
        for refusal in session.ruleReport.refused { logger.warning("\(refusal.description)") }
        for note in session.notes { logger.notice("\(note)") }
        if session.removedLeftovers > 0 {
            logger.notice("removed \(session.removedLeftovers) rule(s) left by an earlier run")
        }

        // Whether each syscall exists on this kernel, for violations (its kallsyms table, else syscalls(2)).
        let kernel = KernelSyscallAvailability.host()
        if kernel == nil { logger.notice("the running kernel's release is not in the syscall catalogue; violations will not say whether it has the syscall") }

        // The reader thread owns everything below until it returns.
        let evaluator = EventEvaluator(
            policies: store, source: .live(attributor),
            factory: ViolationFactory(hostName: hostName, kernelHasSyscall: kernel?.hasSyscall),
            emit: sinks.submit)
        var assemblerConfiguration = AssemblerConfiguration.netlink
        assemblerConfiguration.maximumOpenEvents = configuration.maximumOpenEvents
        let assembler = EventAssembler(configuration: assemblerConfiguration) { evaluator.evaluate($0) }
        let keeper: ContainerRuleKeeper
        do {
            keeper = ContainerRuleKeeper(
                mode: configuration.ruleMode, control: try AuditControl(), store: store,
                resolver: ContainerResolver(roots: configuration.stateRoots, minReloadInterval: 0), hostName: hostName,
                logger: logger, maximumRules: configuration.maximumProcessRules, report: sinks.submit)
        } catch {
            for failure in session.stop() { logger.error("restoring audit state: \(failure.description)") }
            sinks.shutdown(timeout: 1)
            throw StartupError(description: error.description)
        }
        self.keeper = keeper
        let notifier = SystemdNotifier()
        var lastSweep = 0.0
        var lastRefused: UInt64 = 0
        var foreignReported: UInt64 = 0
        var foreignReportedAt = -60.0
        let reader = session.reader
        let publish: (AssemblingConsumer) -> Void = { [self] assembling in
            let now = Self.monotonicSeconds()
            notifier.pingIfDue(now: now)
            // Datagrams another process sent to the audit socket: dropped; said at most once a minute.
            let foreign = reader.stats.foreignSenders
            if foreign > foreignReported && now - foreignReportedAt >= 60 {
                logger.warning("dropped \(foreign - foreignReported) netlink datagram(s) not sent by the kernel (\(foreign) in all): a local process is writing to the audit socket")
                foreignReported = foreign
                foreignReportedAt = now
            }
            if now - lastSweep > 5 {
                lastSweep = now
                attributor.sweep(maxProcesses: 4096)
            }
            let assembly = assembler.statistics
            let counters = evaluator.counters
            let overruns = reader.stats.overruns
            let refused = UInt64(resolver.refusedStateFiles)
            if refused > lastRefused, let message = resolver.lastRefusedStateFile {
                lastRefused = refused
                logger.warning("\(message)")
            }
            snapshot.withLock { s in
                if assembly.records > s.records { s.lastRecordTime = Self.wallClockSeconds() }
                s.take(assembly)  // serial gaps as found, not only at exit
                s.malformed = assembling.malformed
                s.overruns = overruns
                s.stateFilesRefused = refused
                s.violations = counters.violations
                s.unattributed = counters.unattributed
                s.noPolicy = counters.noPolicy
                s.runtimeBootstrap = counters.runtimeBootstrap
                s.imageUnknown = counters.imageUnknown
                s.containerUnknown = counters.containerUnknown
                s.unparsableSyscall = counters.unparsableSyscall
            }
            let byPolicy = evaluator.violationsByPolicy
            let misses = UInt64(attributor.counters.misses)
            state.withLock {
                $0.violationsByPolicy = byPolicy
                $0.attributionMisses = misses
            }
        }
        let owned = ReaderState(
            AgentConsumer(
                assembling: AssemblingConsumer(assembler: assembler), afterBatch: publish,
                beforeBatch: {
                    evaluator.beginBatch()
                    assembler.exitRulesLoaded = keeper.exitRulesLoaded
                }))

        var metrics: MetricsServer?
        if let address = configuration.metricsAddress {
            do {
                metrics = try MetricsServer(address: address) { [self] in renderMetrics(sinks: sinks) }
                logger.info("metrics on http://\(address)/metrics")
            } catch {
                logger.error("\(error.description); running without metrics")
            }
        }

        // Everything that needs more than the audit capabilities is done: the
        // socket, its buffer, the rules, the sinks, the metrics listener.
        do throws(CapabilityRestriction.Failure) {
            let restricted = try CapabilityRestriction.restrict()
            logger.info("capabilities kept: \(restricted.kept.map(\.name).joined(separator: ", ")); every other one dropped from all \(restricted.threads) threads (bounding set included), no_new_privs set")
        } catch {
            metrics?.stop()
            keeper.stop()
            for failure in session.stop() { logger.error("restoring audit state: \(failure.description)") }
            sinks.shutdown(timeout: 1)
            throw StartupError(description: error.description)
        }

        keeper.start()
        assembler.exitRulesLoaded = keeper.exitRulesLoaded
        let wake = DispatchSemaphore(value: 0)
        let readerFailure = Mutex<AuditError?>(nil)
        let thread = Thread {
            do throws(AuditError) {
                try reader.run(&owned.consumer)
            } catch {
                readerFailure.withLock { $0 = error }
            }
            wake.signal()
        }
        thread.name = "callguard-reader"
        thread.start()

        let signals = SignalHandlers()
        signals.on(SIGTERM) { wake.signal() }
        signals.on(SIGINT) { wake.signal() }
        signals.on(SIGHUP) { [self] in reload(session: session, sinks: sinks) }
        signals.on(SIGUSR1) { [self] in logStatistics(session: session, sinks: sinks) }
        notifier.notify("READY=1")
        logger.info("reading the audit stream; violations go to \(configuration.sinks.joined(separator: ", "))")

        wake.wait()
        notifier.notify("STOPPING=1")
        signals.cancel()
        metrics?.stop()
        if let failure = readerFailure.withLock({ $0 }) {
            logger.error("the audit reader stopped: \(failure.description)")
        }
        let kernelLost = (try? session.kernelLostSinceStart()) ?? 0
        keeper.stop()
        for failure in session.stop() { logger.error("restoring audit state: \(failure.description)") }
        // The reader has returned: its last open events are handed on from here.
        assembler.flush()
        publish(owned.consumer.assembling)
        if !sinks.shutdown(timeout: 5) { logger.warning("sinks did not drain within 5 s; the rest is spooled or counted as dropped") }
        var final = statistics(sinks: sinks)
        final.kernelLost = UInt64(kernelLost)
        logger.info("stopped; kernel audit state restored")
        return final
    }

    /// The kernel refused some of a reload's rules: the old policies and rules stay.
    struct ReloadRulesRefused: Error, CustomStringConvertible {
        var refused: Int
        var description: String {
            "the kernel or libaudit refused \(refused) of the new set's audit rule(s) (listed above); the rules in force are unchanged"
        }
    }

    /// SIGHUP: reload policies. The new set's rules go in before the old ones
    /// that it no longer has come out (rules both sets share stay loaded), so
    /// there is no moment without rules; if any new rule is refused, the rules
    /// just added are taken out and the old set stays in force, and the
    /// failed reload is counted.
    private func reload(session: AuditSession, sinks: SinkSet) {
        do {
            try store.reload(directory: policiesDirectory) { set in
                // Only system-wide rules follow a reload here; per-process rules follow at the next scan.
                guard configuration.ruleMode == .system else { return }
                guard !session.isLocked else {
                    logger.warning("the audit configuration is locked: the new policies apply with the rules in force")
                    return
                }
                let rules = RuleCompiler().compile(set).rules
                let replacement = try session.control.replaceRules(with: rules)
                for refusal in replacement.refused { logger.error("\(refusal.description)") }
                for failure in replacement.removalErrors { logger.error("removing an audit rule: \(failure.description)") }
                guard replacement.applied else { throw ReloadRulesRefused(refused: replacement.refused.count) }
                logger.info("audit rules: \(replacement.added.count) added, \(replacement.kept.count) kept, \(replacement.removed) removed")
            }
            state.withLock {
                $0.reloads &+= 1
                $0.lastReloadSuccess = Self.wallClockSeconds()
            }
            logger.info("policies reloaded from \(policiesDirectory)")
            ProfileDelivery.publish(store.current, configuration: configuration.profileDelivery, logger: logger)
        } catch {
            state.withLock { $0.failedReloads &+= 1 }
            logger.error("policy reload failed; the policies in force stay: \(error)")
        }
        sinks.reopen()
    }

    private func logStatistics(session: AuditSession, sinks: SinkSet) {
        var current = statistics(sinks: sinks)
        current.kernelLost = UInt64((try? session.kernelLostSinceStart()) ?? 0)
        var line = current.jsonLine + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    private func renderMetrics(sinks: SinkSet) -> String {
        let current = statistics(sinks: sinks)
        let agent = state.withLock { $0 }
        return PrometheusText.render(
            current, violationsByPolicy: agent.violationsByPolicy, reloads: agent.reloads,
            failedReloads: agent.failedReloads,
            lastReloadSuccess: agent.lastReloadSuccess, attributionMisses: agent.attributionMisses)
    }

    private func statistics(sinks: SinkSet) -> PipelineStatistics {
        var current = snapshot.withLock { $0 }
        let elapsed = ContinuousClock.now - started
        current.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        current.sinks = sinks.counters
        if let kept = keeper?.snapshot {
            current.unguardedContainers = kept.unguardedContainers
            current.processRules = UInt64(kept.rulesLoaded)
            current.processesOverCap = kept.processesOverCap
        }
        return current
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func wallClockSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Hands the consumer to the reader thread; the main thread touches it again
/// only after that thread has returned.
private final class ReaderState: @unchecked Sendable {
    var consumer: AgentConsumer
    init(_ consumer: AgentConsumer) { self.consumer = consumer }
}
