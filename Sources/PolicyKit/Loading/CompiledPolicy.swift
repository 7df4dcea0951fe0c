import AuditKit

/// A loaded policy with its includes resolved: the allowlist as per-arch
/// bitmaps, and what a violation report needs (name, file, severity).
///
/// Immutable and shared: the agent resolves one per container and keeps it.
public final class CompiledPolicy: Sendable, CustomStringConvertible {
    /// `metadata.name` (for a seccomp profile file, the file's stem).
    public let name: String
    /// The file the policy came from.
    public let file: String
    public let severity: PolicySeverity
    /// The image patterns it claims (empty for the default policy and for
    /// include-only policies).
    public let images: [ImagePattern]
    /// Whether this is the default policy (`images: ["*"]`).
    public let isDefault: Bool
    /// The policy's own allowlist, includes merged (what `abi`, `seccomp` and
    /// the audit rules work from).
    public let syscalls: SyscallSet
    /// What a container under this policy may do: ``syscalls`` plus the
    /// container runtime's own calls (``runtimeAllowance``). The verdict uses this.
    public let allowed: SyscallSet
    /// `spec.action`: what its delivered seccomp profile does with a call it
    /// does not allow (log, the default, or errno).
    public let action: ProfileAction

    init(
        name: String, file: String, severity: PolicySeverity, images: [ImagePattern], isDefault: Bool,
        syscalls: SyscallSet, action: ProfileAction = .log
    ) {
        self.action = action
        self.name = name
        self.file = file
        self.severity = severity
        self.images = images
        self.isDefault = isDefault
        self.syscalls = syscalls
        var allowed = syscalls
        allowed.formUnion(Self.runtimeAllowanceSet)
        self.allowed = allowed
    }

    /// Whether a container under this policy may make `syscall` (by number) on
    /// `arch` (``allowed``): one bitmap test, no allocation. Arches policies do
    /// not cover, and numbers that are no syscall, are never allowed.
    @inlinable
    public func allows(arch: AuditArch, syscall: Int32) -> Bool {
        allowed.contains(arch: arch, syscall: syscall)
    }

    /// Whether the policy applies to containers (has images or is the default).
    public var isActive: Bool { isDefault || !images.isEmpty }

    /// What every container may do, whatever its policy: the calls runc's init
    /// makes inside the container after installing the container's seccomp
    /// filter and before it executes the image's command. They are the
    /// runtime's, come from inside the container's cgroup under its filter, and
    /// nothing the kernel reports distinguishes them there from the image's own
    /// calls, so every compiled policy (the default too) allows them
    /// (``allowed``); a user cannot forget to include them.
    /// `policies/runc-init.yaml` documents how they were traced and lists exactly
    /// these (a test checks it), for `include:` where a seccomp profile or audit
    /// rules must carry them too.
    public static let runtimeAllowance: [String] = [
        "capget", "capset", "chdir", "close", "epoll_ctl", "epoll_pwait", "execve", "faccessat2", "fcntl", "fstat", "fstatfs",
        "futex", "getcwd", "getdents64", "getpid", "getppid", "newfstatat", "openat", "prctl", "read",
        "rt_sigreturn", "setgid", "setgroups", "setuid", "write",
        "nanosleep", "sched_yield", "mmap", "munmap", "madvise", "rt_sigprocmask", "sigaltstack", "gettid",
        "tgkill", "exit",
    ]

    /// ``runtimeAllowance`` as a set, on every arch that has each name.
    public static let runtimeAllowanceSet: SyscallSet = {
        var set = SyscallSet()
        for name in runtimeAllowance { set.insert(name: name) }
        return set
    }()

    public var description: String { "\(name) (\(file))" }
}
