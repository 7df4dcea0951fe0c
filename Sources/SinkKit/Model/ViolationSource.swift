extension Violation {
    /// `callguard.source`: the kind of kernel record a violation came from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        /// A SECCOMP (1326) record: the container's own seccomp filter (the
        /// profile callguard's OCI hook gave it) logged or refused the call.
        case seccomp
        /// A SYSCALL (1300) record of an audit rule callguard installed
        /// (`key=callguard`): the call ran, and the record says how it ended.
        case auditRule = "audit-rule"

        /// The name written in every format.
        public var name: StaticString {
            switch self {
            case .seccomp: return "seccomp"
            case .auditRule: return "audit-rule"
            }
        }
    }

    /// `event.outcome`, ECS's allowed values.
    public enum Outcome: String, Sendable, Hashable {
        case success, failure, unknown

        /// The name written in every format.
        public var name: StaticString {
            switch self {
            case .success: return "success"
            case .failure: return "failure"
            case .unknown: return "unknown"
            }
        }
    }

    /// What a seccomp filter did with a syscall: the action (and its errno)
    /// decoded from a SECCOMP record's `code` (the filter's return value).
    public struct SeccompResult: Sendable, Hashable {
        /// `callguard.seccomp.action`.
        public var action: SeccompAction
        /// `callguard.seccomp.errno`: the errno the filter returned, for ``SeccompAction/errno`` only,
        /// when known (the kernel's SECCOMP records leave it out).
        public var errno: Int?

        public init(action: SeccompAction, errno: Int? = nil) {
            self.action = action
            self.errno = errno
        }

        /// Decodes a filter return value (`SECCOMP_RET_ACTION_FULL` in the high
        /// 16 bits, `SECCOMP_RET_DATA` in the low 16), as the kernel does: a
        /// value that is no known action is `kill` (the kernel treats it as
        /// KILL_PROCESS). A SECCOMP record's `code=` is the action alone (the
        /// kernel logs no data), so an errno action's errno is nil there, not 0.
        public init(code: UInt32) {
            let data = Int(code & 0xFFFF)
            switch code & 0xFFFF_0000 {
            case 0x7FFF_0000: self.init(action: .allow)
            case 0x7FFC_0000: self.init(action: .log)
            case 0x7FF0_0000: self.init(action: .trace)
            case 0x7FC0_0000: self.init(action: .userNotif)
            case 0x0005_0000: self.init(action: .errno, errno: data == 0 ? nil : data)
            case 0x0003_0000: self.init(action: .trap)
            default: self.init(action: .kill)  // KILL_PROCESS 0x80000000, KILL_THREAD 0, anything else
            }
        }
    }

    /// A seccomp filter's action, named as the kernel's
    /// `/proc/sys/kernel/seccomp/actions_avail` names it, except that
    /// KILL_PROCESS and KILL_THREAD are both `kill` (either way the call never ran).
    public enum SeccompAction: String, Sendable, Hashable, CaseIterable {
        case kill, trap, errno
        case userNotif = "user_notif"
        case trace, log, allow

        /// The name written in every format.
        public var name: StaticString {
            switch self {
            case .kill: return "kill"
            case .trap: return "trap"
            case .errno: return "errno"
            case .userNotif: return "user_notif"
            case .trace: return "trace"
            case .log: return "log"
            case .allow: return "allow"
            }
        }
    }
}
