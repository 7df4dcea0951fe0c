import AuditKit

/// The syscalls an audit log (auditd's, or what callguard recorded) shows
/// being made, per arch: what an image actually used, for `callguard abi`.
/// `abi`'s last stage: the set of syscalls seen, from SYSCALL and SECCOMP records alike.
public final class ObservedSyscalls: PipelineStage {
    /// Syscall numbers seen, per arch.
    public private(set) var numbers: [AuditArch: Set<Int32>] = [:]
    /// Events with a syscall record read.
    public private(set) var events: UInt64 = 0

    public init() {}

    /// Reads every SYSCALL/SECCOMP record of `path` ("-" for standard input).
    public static func read(path: String) throws -> ObservedSyscalls {
        let observed = ObservedSyscalls()
        try AuditPipeline(.logFile, stage: observed).replay(path: path)
        return observed
    }

    public func take(_ event: SyscallEvent) {
        events &+= 1
        if let arch = event.summary.arch, let n = event.summary.syscall { numbers[arch, default: []].insert(n) }
    }

    public func takeMalformed() { events &+= 1 }

    public func publish(into statistics: inout PipelineStatistics) {}

    /// The libaudit names of the syscalls seen on `arch`, in number order
    /// (numbers libaudit cannot name appear as "syscall_N").
    public func names(on arch: AuditArch) -> [String] {
        (numbers[arch] ?? []).sorted().map { arch.syscallName($0) ?? "syscall_\($0)" }
    }
}
