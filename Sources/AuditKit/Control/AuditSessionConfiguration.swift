/// How callguard takes part in kernel audit: socket mode, backlog settings, rules.
public struct AuditSessionConfiguration: Sendable {
    /// How records reach callguard.
    public enum SocketMode: String, Sendable, CaseIterable {
        /// Register as the audit daemon (`AUDIT_SET` pid): every record comes to
        /// callguard alone. Fails when another audit daemon is registered.
        case unicast
        /// Join `AUDIT_NLGRP_READLOG` beside a running auditd: read-only copies.
        case multicast
    }

    /// Unicast by default.
    public var socketMode: SocketMode = .unicast
    /// The rules to install (each tagged with its key, callguard's by default).
    public var rules: [AuditRule] = []
    /// Records the kernel may queue before it drops; nil leaves the kernel's value.
    public var backlogLimit: UInt32? = 8192
    /// How long a process may wait for queue space; 0 (the default) never
    /// stalls the host: the kernel drops and counts instead. nil leaves the kernel's value.
    public var backlogWaitTime: UInt32? = 0
    /// Records per second the kernel may emit (0 = unlimited); nil leaves it.
    public var rateLimit: UInt32? = nil
    /// Whether to switch auditing on (enabled=1) when it is off. Restored on stop.
    public var enableAuditing = true
    /// Whether every rule excludes callguard's own pid.
    public var excludeOwnPid = true
    /// The event socket's receive buffer (SO_RCVBUFFORCE).
    public var receiveBufferBytes = 64 << 20
    /// Messages per recvmmsg.
    public var batchSize = 64

    public init(socketMode: SocketMode = .unicast, rules: [AuditRule] = []) {
        self.socketMode = socketMode
        self.rules = rules
    }
}
