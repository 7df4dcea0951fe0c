/// Why ``EventAssembler`` handed an event on.
public enum CompletionReason: UInt8, Sendable, CustomStringConvertible {
    /// Its EOE record arrived.
    case endOfEvent
    /// Its record type is an event on its own (user-space and daemon messages).
    case standalone
    /// A SECCOMP record while no exit rule is loaded: the kernel writes it
    /// alone (no SYSCALL, no EOE), so nothing more can come for its serial.
    case loneSeccomp
    /// Its PROCTITLE record, always the last of a syscall event, arrived (log files).
    case proctitle
    /// Its end never came within the timeout.
    case timeout
    /// The open-event table was full and this was the oldest event.
    case evicted
    /// The input ended (``EventAssembler/flush()``).
    case flushed

    public var description: String {
        switch self {
        case .endOfEvent: "eoe"
        case .standalone: "standalone"
        case .loneSeccomp: "lone-seccomp"
        case .proctitle: "proctitle"
        case .timeout: "timeout"
        case .evicted: "evicted"
        case .flushed: "flushed"
        }
    }
}
