import AuditKit

/// The syscalls an audit log (auditd's, or what callguard recorded) shows
/// being made, per arch: what an image actually used, for `callguard abi`.
public struct ObservedSyscalls: Sendable {
    /// Syscall numbers seen, per arch.
    public private(set) var numbers: [AuditArch: Set<Int32>] = [:]
    /// Events read.
    public private(set) var events: UInt64 = 0

    public init() {}

    /// Reads every SYSCALL/SECCOMP record of `path` ("-" for standard input).
    public static func read(path: String) throws -> ObservedSyscalls {
        var observed = ObservedSyscalls()
        _ = try ReplayPipeline().run(path: path) { event in
            observed.events &+= 1
            for i in 0..<event.count {
                let record = event[i]
                guard record.type == .syscall || record.type == .seccomp else { continue }
                if let summary = try? SyscallSummary(record), let arch = summary.arch, let n = summary.syscall {
                    observed.numbers[arch, default: []].insert(n)
                }
                break
            }
        }
        return observed
    }

    /// The libaudit names of the syscalls seen on `arch`, in number order
    /// (numbers libaudit cannot name appear as "syscall_N").
    public func names(on arch: AuditArch) -> [String] {
        (numbers[arch] ?? []).sorted().map { arch.syscallName($0) ?? "syscall_\($0)" }
    }
}
