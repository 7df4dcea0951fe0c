import CAudit

/// The type of an audit record: the netlink message type, or the `type=` name
/// of an auditd log line.
///
/// Names and numbers come from libaudit's tables (`audit_msg_type_to_name`),
/// not from a list of our own; only the types the pipeline branches on have
/// named constants here.
public struct RecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The corresponding C value is `AUDIT_SYSCALL`.
    public static let syscall = RecordType(rawValue: 1300)
    /// The corresponding C value is `AUDIT_PATH`.
    public static let path = RecordType(rawValue: 1302)
    /// The corresponding C value is `AUDIT_CWD`.
    public static let cwd = RecordType(rawValue: 1307)
    /// The corresponding C value is `AUDIT_EXECVE`.
    public static let execve = RecordType(rawValue: 1309)
    /// The corresponding C value is `AUDIT_EOE`: the end of a multi-record event.
    public static let endOfEvent = RecordType(rawValue: 1320)
    /// The corresponding C value is `AUDIT_SECCOMP`: a seccomp filter logged a syscall.
    public static let seccomp = RecordType(rawValue: 1326)
    /// The corresponding C value is `AUDIT_PROCTITLE`: always the last record of a syscall event.
    public static let proctitle = RecordType(rawValue: 1327)
    /// The corresponding C value is `AUDIT_USER`: a message from user space (old numbering).
    public static let user = RecordType(rawValue: 1005)

    /// Whether records of this type are an event on their own: messages from
    /// user space (`AUDIT_USER` 1005, 1100–1199, 2100–2999) and from the audit
    /// daemon (1200–1299). Kernel records (1300 and up) belong to an event that
    /// ends with EOE.
    @inlinable
    public var isStandalone: Bool {
        rawValue == 1005 || (1100..<1300).contains(rawValue) || (2100..<3000).contains(rawValue)
    }

    /// Whether records of this type come from the audit daemon itself (1200–1299),
    /// numbered by the daemon's own serial counter rather than the kernel's.
    @inlinable
    public var isDaemonMessage: Bool { (1200..<1300).contains(rawValue) }

    /// libaudit's name for the type ("SYSCALL", "PATH"), or `UNKNOWN[n]` as auditd writes it.
    public var name: String {
        if let cName = audit_msg_type_to_name(Int32(rawValue)) { return String(cString: cName) }
        return "UNKNOWN[\(rawValue)]"
    }

    public var description: String { name }
}
