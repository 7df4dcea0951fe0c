import AuditKit
import SinkKit

extension ViolationFactory {
    /// Says which kernel record reported the violation (`callguard.source`)
    /// and, for a seccomp filter's record, what the filter did
    /// (`callguard.seccomp`, from the record's `code`), from what the summary
    /// stage found: no second walk over the event's records.
    ///
    /// A SECCOMP record is written when the filter runs, before the call does,
    /// so it says nothing of how the call ended: success, exit and ppid stay
    /// unknown (on x86_64 the kernel gives a SECCOMP record a serial of its own
    /// even when an audit rule also matches the call, so the two never meet in
    /// one event).
    static func describeSource(of event: SyscallEvent, into violation: inout Violation) {
        switch event.origin {
        case .seccomp:
            violation.source = .seccomp
            violation.seccomp = event.summary.code.map { Violation.SeccompResult(code: $0) }
        case .auditRule:
            violation.source = .auditRule
        }
    }
}
