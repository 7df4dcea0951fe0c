import AuditKit
import ContainerKit
import Foundation
import Glibc
import Logging
import PolicyKit
import ServiceLifecycle
import UnixSignals
import SinkKit

/// `callguard run`: the long-running agent on the live kernel.
///
/// Start-up in order: the policies (already checked by the caller), the sinks,
/// a scan of running containers, the audit session (socket, settings, the
/// compiled rules), then the services of one ``ServiceLifecycle/ServiceGroup``:
/// the reader (its own thread, the pipeline), the sinks, the metrics endpoint,
/// the attribution sweep timer, SIGUSR1 statistics and SIGHUP reloads.
/// SIGTERM/SIGINT stop reading, hand the last events on, restore the kernel's
/// audit state and drain the sinks (bounded); SIGHUP reloads the policies
/// atomically (new rules first, the old set stays on any error) and reopens
/// file sinks; SIGUSR1 prints statistics.
public final class LiveAgent: @unchecked Sendable {
    /// Why the agent could not start.
    public struct StartupError: Error, CustomStringConvertible {
        public var description: String
    }

    private let configuration: AgentConfiguration
    private let policiesDirectory: String
    private let store: PolicyStore
    private let logger: Logger
    /// Where every stage (and the reload service) publishes its counters.
    private let board = StatisticsBoard()
    private let started = ContinuousClock.now
    /// Per-process rules and the exit-rule census (``RuleMode``); set once before the reader starts.
    private var keeper: ContainerRuleKeeper?

    /// An agent for `policies` (loaded from `policiesDirectory`, which SIGHUP reloads).
    public init(configuration: AgentConfiguration, policies: PolicySet, policiesDirectory: String, logger: Logger) {
        self.configuration = configuration
        self.policiesDirectory = policiesDirectory
        self.store = PolicyStore(policies)
        self.logger = logger
        board.update { $0.lastReloadSuccess = Self.wallClockSeconds() }
    }

    /// Runs until SIGTERM or SIGINT (or until the audit socket fails); returns
    /// the final statistics after the kernel's audit state is restored.
    public func run() async throws(StartupError) -> PipelineStatistics {
        let hostName = SinkConfiguration.systemHostName()
        let sinks: SinkSet
        do {
            sinks = try SinkSet(configuration, hostName: hostName, throttled: false, logger: logger)
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
        // The kernel's fork announcements: a short-lived process's SECCOMP record
        // names no parent; its fork, announced first, does. Opened before the
        // running processes are read (and before capabilities are dropped).
        let announcements: ProcConnector?
        do {
            announcements = try ProcConnector()
        } catch {
            announcements = nil
            logger.warning("\(error.description); a container process that exits before /proc is read will be reported with no container")
        }
        let attributor = Attributor(announcements: announcements, resolver: resolver, configuration: attributorConfiguration)
        let running = attributor.scanRunningProcesses()
        let unmatched = running.filter { info in info.imageName.flatMap { store.current.policy(forImage: $0, digest: info.imageDigest) } == nil }
        logger.info(
            "\(running.count) running container(s); \(unmatched.count) match no policy and are not checked",
            metadata: unmatched.isEmpty ? nil : ["unmatched": .string(unmatched.map { "\($0.id.prefix(12)) \($0.imageName ?? "?")" }.joined(separator: ", "))])

        ProfileDelivery.publish(store.current, configuration: configuration.profileDelivery, logger: logger)
        if configuration.profileDelivery.stateDirectory != nil, let notice = RuntimeLogFlagNotice.forHostRunc() {
            logger.notice("\(notice)")
        }
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

        // The reader thread owns the pipeline until it returns.
        let evaluator = EventEvaluator(
            policies: store, source: .live(attributor),
            factory: ViolationFactory(hostName: hostName, kernelHasSyscall: kernel?.hasSyscall),
            throttle: configuration.throttle, batchingInto: sinks)
        var assemblerConfiguration = AssemblerConfiguration.netlink
        assemblerConfiguration.maximumOpenEvents = configuration.maximumOpenEvents
        let pipeline = AuditPipeline(assemblerConfiguration, stage: evaluator)
        pipeline.board = board
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
        // Whether an exit rule may be loaded decides how long a lone SECCOMP record waits.
        let assembler = pipeline.assembly.assembler
        pipeline.beforeBatch = { assembler.exitRulesLoaded = keeper.exitRulesLoaded }
        let notifier = SystemdNotifier()
        let reader = session.reader
        // Announcements waiting wake the reader: a runtime's child is read while it runs.
        if let fd = announcements?.descriptor { reader.sideDescriptor = fd }
        var lastRefused: UInt64 = 0
        var foreignReported: UInt64 = 0
        var foreignReportedAt = -60.0
        // The source's own counters, and what the reader's thread says after a batch.
        pipeline.publishSource = { [logger] s in
            let now = Self.monotonicSeconds()
            notifier.pingIfDue(now: now)
            // Datagrams another process sent to the audit socket: dropped; said at most once a minute.
            let foreign = reader.stats.foreignSenders
            if foreign > foreignReported && now - foreignReportedAt >= 60 {
                logger.warning("dropped \(foreign - foreignReported) netlink datagram(s) not sent by the kernel (\(foreign) in all): a local process is writing to the audit socket")
                foreignReported = foreign
                foreignReportedAt = now
            }
            let refused = UInt64(resolver.refusedStateFiles)
            if refused > lastRefused, let message = resolver.lastRefusedStateFile {
                lastRefused = refused
                logger.warning("\(message)")
            }
            s.overruns = reader.stats.overruns
            s.stateFilesRefused = refused
        }

        // The kernel's lost counter, read on a netlink socket of its own (the
        // session's serves reloads and the stop): lost records become a notice
        // in the sinks and a live `kernel_lost` figure.
        let readLost: LostRecordsNotice.ReadLost
        if let lostControl = try? AuditControl() {
            readLost = LostRecordsNotice.kernelCounter(control: lostControl, initialLost: session.initialStatus.lost)
        } else {
            readLost = { nil }
        }
        let lostNotice = LostRecordsNotice(
            hostName: hostName,
            readLost: readLost,
            send: { sinks.submit($0) })

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

        // The services, in start order; graceful shutdown (SIGTERM, SIGINT, or
        // the reader failing) stops them in reverse: the signal handlers
        // (reloads) first, then the reader (its last events handed on, the
        // kernel's audit state restored), then the timer and the metrics, the
        // sinks last (drained).
        let published = board
        let gate = SessionGate()
        keeper.start()
        assembler.exitRulesLoaded = keeper.exitRulesLoaded
        let readerService = ReaderService(session: session, pipeline: pipeline, logger: logger) { [logger] in
            notifier.notify("STOPPING=1")
            gate.close {
                let kernelLost = (try? session.kernelLostSinceStart()) ?? 0
                published.update { $0.kernelLost = UInt64(kernelLost) }
                keeper.stop()
                for failure in session.stop() { logger.error("restoring audit state: \(failure.description)") }
            }
        }
        var services: [(any Service, String)] = []
        func add(_ service: any Service, _ name: String) { services.append((service, name)) }
        add(SinkService(sinks: sinks, logger: logger), "sinks")
        if let metrics { add(MetricsService(server: metrics), "metrics") }
        let housekeeping = pipeline.housekeeping
        add(TimerService(every: .seconds(5)) { housekeeping.requestSweep() }, "attribution-sweep")
        add(
            TimerService(every: .seconds(2)) {
                if let lost = lostNotice.poll(now: Self.monotonicSeconds()) { published.update { $0.kernelLost = lost } }
            }, "lost-records")
        add(readerService, "reader")
        // Ready once SIGHUP and SIGUSR1 are trapped (SIGTERM and SIGINT are by
        // then): a signal sent on READY=1 finds its handler. Until then they
        // are ignored, never fatal.
        signal(SIGHUP, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        let sinkNames = configuration.sinks.joined(separator: ", ")
        add(
            SignalService(
                [
                    (.sighup, { [self] in gate.ifOpen { reload(session: session, sinks: sinks) } }),
                    (.sigusr1, { [self] in logStatistics(sinks: sinks) }),
                ],
                onInstalled: { [logger] in
                    notifier.notify("READY=1")
                    logger.info("reading the audit stream; violations go to \(sinkNames)")
                }), "signals")
        await AgentServices.run(services, logger: logger)
        // Late signals no longer have a handler: they change nothing now.
        signal(SIGHUP, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        let final = statistics(sinks: sinks)
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
            board.update {
                $0.reloads &+= 1
                $0.lastReloadSuccess = Self.wallClockSeconds()
            }
            logger.info("policies reloaded from \(policiesDirectory)")
            ProfileDelivery.publish(store.current, configuration: configuration.profileDelivery, logger: logger)
        } catch {
            board.update { $0.failedReloads &+= 1 }
            logger.error("policy reload failed; the policies in force stay: \(error)")
        }
        sinks.reopen()
    }

    private func logStatistics(sinks: SinkSet) {
        var line = statistics(sinks: sinks).jsonLine + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    private func renderMetrics(sinks: SinkSet) -> String {
        PrometheusText.render(statistics(sinks: sinks))
    }

    /// What the stages published, with the run's duration and the sinks' counters.
    private func statistics(sinks: SinkSet) -> PipelineStatistics {
        var current = board.snapshot
        let elapsed = ContinuousClock.now - started
        current.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        current.takeSinks(sinks.counters)
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
