import AuditKit
import SinkKit

extension ViolationFactory {
    /// Says which kernel record reported the violation (`callguard.source`)
    /// and, for a seccomp filter's record, what the filter did
    /// (`callguard.seccomp`, from the record's `code`).
    ///
    /// A SECCOMP record is written when the filter runs, before the call does,
    /// so it says nothing of how the call ended: success and exit stay unknown
    /// unless the same event also holds the call's SYSCALL record (an audit
    /// rule matched it too), whose result (and ppid) is then taken. Runs once per
    /// violation, not per event.
    static func describeSource(of event: AssembledEvent, into violation: inout Violation) {
        var seccomp: SyscallSummary?
        var syscall: SyscallSummary?
        for i in 0..<event.count {
            let record = event[i]
            if seccomp == nil, record.type == .seccomp {
                seccomp = try? SyscallSummary(record)
            } else if syscall == nil, record.type == .syscall {
                syscall = try? SyscallSummary(record)
            }
        }
        if let seccomp {
            violation.source = .seccomp
            violation.seccomp = seccomp.code.map { Violation.SeccompResult(code: $0) }
            if let syscall {
                violation.syscall.success = syscall.success
                violation.syscall.exit = syscall.exit
                if violation.process.ppid == nil { violation.process.ppid = syscall.ppid }
            }
        } else if syscall != nil {
            violation.source = .auditRule
        }
    }
}
