import AuditKit

/// Stage 3, summary: the one place that finds an event's syscall record — a
/// SYSCALL record (an audit rule matched) or a SECCOMP record (a container's
/// filter logged it) — and reads the fields every later stage needs. The
/// stages after it (attribution, verdict, the learn tally, `abi`'s observed
/// set) work on this, and never walk the event's records again.
///
/// A view: valid while the assembler's handler runs, like the event itself.
/// Making one allocates nothing.
public struct SyscallEvent {
    /// Which kind of record the syscall came from.
    public enum Origin: Sendable, Equatable {
        /// A SYSCALL record: an audit rule matched.
        case auditRule
        /// A SECCOMP record: the process's own seccomp filter logged the syscall.
        case seccomp
    }

    /// What summarising one event found.
    public enum Outcome {
        /// The event's syscall.
        case syscall(SyscallEvent)
        /// The event has no SYSCALL or SECCOMP record (a CONFIG_CHANGE, a login, ...).
        case none
        /// Its syscall record is malformed (an unbalanced quote): counted, skipped.
        case malformed
    }

    /// The assembled event.
    public let event: AssembledEvent
    /// The syscall record's fields.
    public let summary: SyscallSummary
    /// Where the syscall record came from.
    public let origin: Origin
    /// The index of the event's PROCTITLE record, or -1.
    public let proctitleIndex: Int
    /// The index of the event's first PATH record, or -1.
    public let firstPathIndex: Int

    /// Summarises `event`: its first SYSCALL or SECCOMP record, and where its
    /// PROCTITLE and PATH records are (for a violation's command line and path).
    @inline(__always)
    public static func summarise(_ event: AssembledEvent) -> Outcome {
        var syscallIndex = -1
        var proctitle = -1
        var firstPath = -1
        for i in 0..<event.count {
            let type = event[i].type
            if type == .syscall || type == .seccomp {
                if syscallIndex < 0 { syscallIndex = i }
            } else if type == .proctitle {
                if proctitle < 0 { proctitle = i }
            } else if type == .path {
                if firstPath < 0 { firstPath = i }
            }
        }
        guard syscallIndex >= 0 else { return .none }
        let record = event[syscallIndex]
        let summary: SyscallSummary
        do throws(RecordParseError) {
            summary = try SyscallSummary(record)
        } catch {
            return .malformed
        }
        return .syscall(
            SyscallEvent(
                event: event, summary: summary, origin: record.type == .seccomp ? .seccomp : .auditRule,
                proctitleIndex: proctitle, firstPathIndex: firstPath))
    }

    /// The PROCTITLE record's `proctitle` field, as written, if the event has one.
    public var proctitleField: AuditField? {
        guard proctitleIndex >= 0 else { return nil }
        return event[proctitleIndex].field("proctitle")
    }

    /// The first named path's field (PATH `name=`, not `(null)`), as written, if any.
    public var pathField: AuditField? {
        guard firstPathIndex >= 0 else { return nil }
        for i in firstPathIndex..<event.count where event[i].type == .path {
            if let field = event[i].field("name"), !field.isNull { return field }
        }
        return nil
    }

    /// The process's command line (PROCTITLE), decoded, if the event has one.
    public var commandLine: [UInt8]? { proctitleField?.decodedBytes }

    /// The first named path (PATH `name=`, not `(null)`), decoded, if any.
    public var filePath: [UInt8]? { pathField?.decodedBytes }
}
