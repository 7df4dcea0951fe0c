/// Identifies one process for as long as the machine runs: its pid plus its
/// start time in clock ticks since boot (field 22 of `/proc/PID/stat`). When a
/// pid is reused, the start time differs, so the old process's facts are never
/// applied to the new one.
public struct ProcessKey: Sendable, Hashable, CustomStringConvertible {
    /// The pid in the initial pid namespace (as audit reports it).
    public var pid: Int32
    /// Start time in clock ticks after boot; 0 means "not known" (an exited process seen only through its parent).
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "\(pid)@\(startTime)" }
}
