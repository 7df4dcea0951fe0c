/// The wall clock against the clock of process start times, read at one
/// moment: what converts an audit record's time (the kernel's wall clock, ms
/// since the epoch) into ``ProcStat/startTime``'s unit and origin.
public struct WallClockReading: Sendable, Hashable {
    /// The wall clock (`CLOCK_REALTIME`, ms since the epoch) when the start
    /// times' clock (`CLOCK_BOOTTIME`) read zero: the wall clock minus that clock now.
    public var wallMillisecondsAtBoot: Int64
    /// The wall clock now, ms since the epoch.
    public var wallMillisecondsNow: Int64
    /// Milliseconds per start-time tick (10 with the usual `USER_HZ` of 100).
    public var millisecondsPerTick: UInt64

    public init(wallMillisecondsAtBoot: Int64, wallMillisecondsNow: Int64, millisecondsPerTick: UInt64) {
        self.wallMillisecondsAtBoot = wallMillisecondsAtBoot
        self.wallMillisecondsNow = wallMillisecondsNow
        self.millisecondsPerTick = millisecondsPerTick
    }
}
