import CAudit
import Glibc

/// callguard's live part in kernel audit, from start to stop: it checks who
/// else is listening, removes rules a crashed earlier run left behind, applies
/// the backlog settings, installs the rules, registers as the audit daemon (or
/// joins multicast), and on ``stop()`` restores everything it changed.
///
/// Run ``reader`` on a thread of its own (``AuditReader/run(_:until:)``) and
/// call ``stop()`` from the owning thread: it stops the reader and waits for it
/// to return before it closes anything. (`@unchecked Sendable` so that the
/// reader thread can hold it; control calls belong to one thread at a time.)
public final class AuditSession: @unchecked Sendable {
    /// The control socket.
    public let control: AuditControl
    /// The reader on the event socket.
    public let reader: AuditReader
    /// The configuration it started with.
    public let configuration: AuditSessionConfiguration
    /// The kernel's status before callguard changed anything.
    public let initialStatus: AuditStatus
    /// Which rules loaded and which were refused (empty when the configuration is locked).
    public let ruleReport: RuleLoadReport
    /// How many rules with callguard's key were left by an earlier run and removed.
    public let removedLeftovers: Int
    /// Things the operator should know (locked configuration, ...).
    public let notes: [String]

    private let settingsUndo: AuditSettingsChange
    private var stopped = false

    /// Whether the kernel's configuration is locked (rules and settings were left as found).
    public var isLocked: Bool { initialStatus.isLocked }

    private init(
        control: AuditControl, reader: AuditReader, configuration: AuditSessionConfiguration,
        initialStatus: AuditStatus, ruleReport: RuleLoadReport, removedLeftovers: Int, notes: [String],
        settingsUndo: AuditSettingsChange
    ) {
        self.control = control
        self.reader = reader
        self.configuration = configuration
        self.initialStatus = initialStatus
        self.ruleReport = ruleReport
        self.removedLeftovers = removedLeftovers
        self.notes = notes
        self.settingsUndo = settingsUndo
    }

    /// Starts a session. On failure, whatever was already changed is restored
    /// before the error is thrown.
    public static func start(_ configuration: AuditSessionConfiguration) throws(AuditError) -> AuditSession {
        try start(configuration, control: AuditControl())
    }

    /// Starts a session on `control` (tests pass one that simulates a locked configuration).
    static func start(_ configuration: AuditSessionConfiguration, control: AuditControl) throws(AuditError)
        -> AuditSession
    {
        let status = try control.status()
        let me = UInt32(getpid())
        if configuration.socketMode == .unicast, status.pid != 0, status.pid != me, processExists(status.pid) {
            throw AuditControl.otherDaemonError(status.pid)
        }
        var notes: [String] = []
        var undo = AuditSettingsChange()
        var report = RuleLoadReport()
        var removed = 0
        var registered = false
        var installed = false

        func rollBack() {
            if installed { _ = try? control.removeRules(withKey: AuditRule.callguardKey) }
            if registered { _ = try? control.unregisterDaemon() }
            _ = try? control.apply(undo)
        }

        do throws(AuditError) {
            let socket = try AuditNetlinkSocket(multicast: configuration.socketMode == .multicast)
            let reader = try AuditReader(
                socket: socket, batchSize: configuration.batchSize,
                receiveBufferBytes: configuration.receiveBufferBytes)

            if status.isLocked {
                let present = try control.kernelRules().filter { $0.hasKey(AuditRule.callguardKey) }
                notes.append(
                    "the kernel's audit configuration is locked (enabled=2): rules and settings stay as they are until reboot; using the \(present.count) rule(s) with key \(AuditRule.callguardKey) already loaded"
                )
                if present.isEmpty && !configuration.rules.isEmpty {
                    throw AuditError(
                        .locked, errno: EPERM,
                        "the kernel's audit configuration is locked (enabled=2) and holds no rule with key \(AuditRule.callguardKey): callguard cannot install its rules until reboot. Load them from audit.rules before the lock (`callguard rules` prints them)"
                    )
                }
            }

            // Receive first, so that no record of our rules is missed.
            if configuration.socketMode == .unicast {
                try control.registerDaemon(on: socket)
                registered = true
            }

            if !status.isLocked {
                var change = AuditSettingsChange()
                if configuration.enableAuditing && status.enabled == .disabled { change.enabled = .enabled }
                if let v = configuration.backlogLimit, v != status.backlogLimit { change.backlogLimit = v }
                if let v = configuration.backlogWaitTime, v != status.backlogWaitTime { change.backlogWaitTime = v }
                if let v = configuration.rateLimit, v != status.rateLimit { change.rateLimit = v }
                undo = change.undo(from: status)
                try control.apply(change)

                removed = try control.removeRules(withKey: AuditRule.callguardKey)
                installed = true
                report = control.install(
                    configuration.rules, excludingPid: configuration.excludeOwnPid ? me : nil)
                if !configuration.rules.isEmpty && report.installed.isEmpty {
                    let reasons = report.refused.map(\.description).joined(separator: "; ")
                    throw AuditError(.noRules, "none of callguard's \(configuration.rules.count) rule(s) loaded: \(reasons)")
                }
            }
            return AuditSession(
                control: control, reader: reader, configuration: configuration, initialStatus: status,
                ruleReport: report, removedLeftovers: removed, notes: notes, settingsUndo: undo)
        } catch {
            rollBack()
            throw error
        }
    }

    /// The kernel's `lost` counter now minus at start (wrapping): records the
    /// kernel dropped since callguard started (rate limit or full backlog).
    public func kernelLostSinceStart() throws(AuditError) -> UInt32 {
        try control.status().lost &- initialStatus.lost
    }

    /// Restores everything callguard changed: removes its rules (by key),
    /// unregisters as the audit daemon, sets enabled and backlog settings back
    /// as found, and closes the event socket. Best effort: every step is tried;
    /// the failures are returned. Idempotent.
    @discardableResult
    public func stop() -> [AuditError] {
        if stopped { return [] }
        stopped = true
        var failures: [AuditError] = []
        let readerReturned = reader.waker.stopAndWait(timeout: .seconds(5))
        if !readerReturned {
            failures.append(
                AuditError(.closed, "the audit reader did not return within 5 s of being stopped; its socket is left open"))
        }
        if !isLocked {
            do { try control.removeRules(withKey: AuditRule.callguardKey) } catch { failures.append(error) }
        }
        if configuration.socketMode == .unicast {
            do { try control.unregisterDaemon() } catch { failures.append(error) }
        }
        do { try control.apply(settingsUndo) } catch { failures.append(error) }
        if readerReturned { reader.socket.close() }
        return failures
    }

    deinit { stop() }
}
