import AuditKit

/// Recognises the container runtime's own bootstrap process: runc's init
/// (`runc`, or `exe` when it re-executes itself through /proc/self/exe, until
/// it renames itself `runc:[0:PARENT]`, `runc:[1:CHILD]`, `runc:[2:INIT]`)
/// mounts, pivots and
/// sets up the container inside its cgroup before it executes the image's
/// command. Those syscalls belong to the runtime, not to the image, and are
/// counted apart instead of being checked against the image's policy.
///
/// Both the name and the executable must fit: the name alone is settable by any
/// process (`prctl(PR_SET_NAME)`), but runc init runs from runc's own binary
/// (a memfd clone, which the kernel shows as `/memfd:...` or, after
/// `pivot_root`, as `/`), never from a file of the image. A process that forges
/// both is still counted (`runtime_bootstrap` in the statistics).
enum RuntimeBootstrap {
    static func matches(_ summary: SyscallSummary) -> Bool {
        guard let comm = summary.comm, comm.quoting == .double,
            comm.value.hasPrefix("runc:[") || comm.value.equals("runc") || comm.value.equals("exe"),
            let exe = summary.exe, exe.quoting == .double
        else { return false }
        return exe.value.equals("/") || exe.value.hasPrefix("/memfd:") || exe.value.hasSuffix("/runc")
    }
}
