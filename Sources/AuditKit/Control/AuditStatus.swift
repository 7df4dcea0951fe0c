import CAudit

/// Whether the kernel audits: the `enabled` field of `struct audit_status`.
public struct AuditEnabled: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Auditing is off; rules are kept but nothing is logged.
    public static let disabled = AuditEnabled(rawValue: 0)
    /// Auditing is on.
    public static let enabled = AuditEnabled(rawValue: 1)
    /// Auditing is on and the configuration is immutable until reboot (`auditctl -e 2`).
    public static let locked = AuditEnabled(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 0: "disabled"
        case 1: "enabled"
        case 2: "locked"
        default: "enabled=\(rawValue)"
        }
    }
}

/// What the kernel does when it cannot log: the `failure` field
/// (`AUDIT_FAIL_SILENT` 0, `AUDIT_FAIL_PRINTK` 1, `AUDIT_FAIL_PANIC` 2).
public struct AuditFailureMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The corresponding C value is `AUDIT_FAIL_SILENT`.
    public static let silent = AuditFailureMode(rawValue: 0)
    /// The corresponding C value is `AUDIT_FAIL_PRINTK`.
    public static let printk = AuditFailureMode(rawValue: 1)
    /// The corresponding C value is `AUDIT_FAIL_PANIC`.
    public static let panic = AuditFailureMode(rawValue: 2)
}

/// The kernel's audit status (`AUDIT_GET`, `struct audit_status`): settings,
/// the registered daemon and the loss counters.
public struct AuditStatus: Hashable, Sendable {
    /// Whether auditing is on, off or locked.
    public var enabled: AuditEnabled
    /// What the kernel does when it cannot log.
    public var failure: AuditFailureMode
    /// The registered audit daemon's pid, 0 when none.
    public var pid: UInt32
    /// Records per second the kernel emits at most (0 = no limit).
    public var rateLimit: UInt32
    /// Records the kernel queues for the daemon before it drops (or waits).
    public var backlogLimit: UInt32
    /// Records the kernel dropped since boot (wraps at 2^32).
    public var lost: UInt32
    /// Records queued now.
    public var backlog: UInt32
    /// Kernel audit feature bits (`AUDIT_FEATURE_BITMAP_*`).
    public var featureBitmap: UInt32
    /// How long (in jiffies) a process waits for queue space before its
    /// records are dropped; 0 never stalls the host.
    public var backlogWaitTime: UInt32
    /// Total time processes spent waiting for queue space.
    public var backlogWaitTimeActual: UInt32

    /// Whether the configuration is locked (enabled=2): no rule or setting can change until reboot.
    public var isLocked: Bool { enabled == .locked }

    init(_ s: audit_status) {
        enabled = AuditEnabled(rawValue: s.enabled)
        failure = AuditFailureMode(rawValue: s.failure)
        pid = s.pid
        rateLimit = s.rate_limit
        backlogLimit = s.backlog_limit
        lost = s.lost
        backlog = s.backlog
        featureBitmap = s.feature_bitmap
        backlogWaitTime = s.backlog_wait_time
        backlogWaitTimeActual = s.backlog_wait_time_actual
    }
}

/// A change to the kernel's audit settings (`AUDIT_SET`): only the non-nil
/// fields are sent.
public struct AuditSettingsChange: Hashable, Sendable {
    public var enabled: AuditEnabled?
    public var failure: AuditFailureMode?
    public var rateLimit: UInt32?
    public var backlogLimit: UInt32?
    public var backlogWaitTime: UInt32?

    public init(
        enabled: AuditEnabled? = nil, failure: AuditFailureMode? = nil, rateLimit: UInt32? = nil,
        backlogLimit: UInt32? = nil, backlogWaitTime: UInt32? = nil
    ) {
        self.enabled = enabled
        self.failure = failure
        self.rateLimit = rateLimit
        self.backlogLimit = backlogLimit
        self.backlogWaitTime = backlogWaitTime
    }

    /// Whether nothing would change.
    public var isEmpty: Bool {
        enabled == nil && failure == nil && rateLimit == nil && backlogLimit == nil && backlogWaitTime == nil
    }

    /// The change that sets back what `self` would change, to the values in `status`.
    public func undo(from status: AuditStatus) -> AuditSettingsChange {
        AuditSettingsChange(
            enabled: enabled.map { _ in status.enabled },
            failure: failure.map { _ in status.failure },
            rateLimit: rateLimit.map { _ in status.rateLimit },
            backlogLimit: backlogLimit.map { _ in status.backlogLimit },
            backlogWaitTime: backlogWaitTime.map { _ in status.backlogWaitTime })
    }
}
