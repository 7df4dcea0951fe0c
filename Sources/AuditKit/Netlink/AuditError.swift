import Glibc

/// An error from the kernel audit interface: what failed, the errno behind it
/// (when there is one) and what the operator can do about it.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Extensible: a struct over a private enum.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case systemCall, netlink, permission, otherDaemon, locked, ruleRefused, noRules, closed, protocolError
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A system call on a socket or eventfd failed.
        public static let systemCall = Code(.systemCall)
        /// The kernel answered a netlink request with an error.
        public static let netlink = Code(.netlink)
        /// The process lacks CAP_AUDIT_CONTROL or CAP_AUDIT_READ.
        public static let permission = Code(.permission)
        /// Another process is registered as the audit daemon.
        public static let otherDaemon = Code(.otherDaemon)
        /// The kernel's audit configuration is locked (enabled=2).
        public static let locked = Code(.locked)
        /// The kernel or libaudit refused a rule.
        public static let ruleRefused = Code(.ruleRefused)
        /// No rules could be installed or found to serve the request.
        public static let noRules = Code(.noRules)
        /// The socket was already closed.
        public static let closed = Code(.closed)
        /// The kernel sent something that does not follow the audit protocol.
        public static let protocolError = Code(.protocolError)

        public var description: String { "\(kind)" }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The errno the kernel or libc reported, if any.
    public var errno: Int32?
    /// What callguard was doing, and what to do about it.
    public var message: String

    public init(_ code: Code, errno: Int32? = nil, _ message: String) {
        self.code = code
        self.errno = errno
        self.message = message
    }

    /// An error for a failed system call `function` with `errno`.
    static func system(_ function: String, _ errno: Int32) -> AuditError {
        let code: Code = (errno == EPERM || errno == EACCES) ? .permission : .systemCall
        var text = "\(function) failed: \(AuditError.describe(errno: errno))"
        if code == .permission {
            text += " (run as root, or grant CAP_AUDIT_CONTROL and CAP_AUDIT_READ)"
        }
        return AuditError(code, errno: errno, text)
    }

    /// "EPERM (Operation not permitted)".
    static func describe(errno: Int32) -> String {
        let name = audit_errno_name(errno)
        let text = String(cString: strerror(errno))
        return name.map { "\($0) (\(text))" } ?? text
    }

    public var description: String { message }
}

/// The symbolic name of an errno, for messages.
private func audit_errno_name(_ e: Int32) -> String? {
    switch e {
    case EPERM: "EPERM"
    case ENOENT: "ENOENT"
    case EINTR: "EINTR"
    case EBADF: "EBADF"
    case EAGAIN: "EAGAIN"
    case ENOMEM: "ENOMEM"
    case EACCES: "EACCES"
    case EFAULT: "EFAULT"
    case EEXIST: "EEXIST"
    case EINVAL: "EINVAL"
    case ENOSPC: "ENOSPC"
    case ENOBUFS: "ENOBUFS"
    case EPROTONOSUPPORT: "EPROTONOSUPPORT"
    case ECONNREFUSED: "ECONNREFUSED"
    case EOPNOTSUPP: "EOPNOTSUPP"
    case ETIMEDOUT: "ETIMEDOUT"
    default: nil
    }
}
