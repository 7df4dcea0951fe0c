/// What ``EventEvaluator`` did with the events it saw.
public struct EvaluatorCounters: Sendable, Equatable {
    /// Events that carried a SYSCALL or SECCOMP record.
    public var syscallEvents: UInt64 = 0
    /// Events checked against a container's policy.
    public var checked: UInt64 = 0
    /// Events from host processes (out of scope without a host policy).
    public var host: UInt64 = 0
    /// Events no container could be found for (never guessed).
    public var unattributed: UInt64 = 0
    /// Events from containers that no policy (not even a default) applies to.
    public var noPolicy: UInt64 = 0
    /// Syscalls no policy allows that came from a container runtime's bootstrap
    /// (runc init before its seccomp filter and `execve`), as the kernel's facts
    /// show (parent, runtime binary, seccomp state), not as the process names itself.
    public var runtimeBootstrap: UInt64 = 0
    /// Violations by containers whose image is not known (the default policy applied).
    public var imageUnknown: UInt64 = 0
    /// Violations reported from seccomp records of processes no container could be found for.
    public var containerUnknown: UInt64 = 0
    /// Events whose syscall number or arch did not parse (checked, and so violations when attributed).
    public var unparsableSyscall: UInt64 = 0
    /// Events whose SYSCALL record was malformed.
    public var malformed: UInt64 = 0
    /// Violations found.
    public var violations: UInt64 = 0

    public init() {}
}
