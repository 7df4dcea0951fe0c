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
    /// Events from a container runtime's bootstrap process (runc init before it
    /// executes the image's command), which are the runtime's, not the image's.
    public var runtimeBootstrap: UInt64 = 0
    /// Syscall events whose arch or syscall number does not parse (`syscall=-1`,
    /// 2^31 and beyond, an empty arch): they cannot be checked, so they are counted.
    public var unparsableSyscall: UInt64 = 0
    /// Events whose SYSCALL record was malformed.
    public var malformed: UInt64 = 0
    /// Violations found.
    public var violations: UInt64 = 0

    public init() {}
}
