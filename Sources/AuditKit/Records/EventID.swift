/// The identity of an audit event: `audit(SECONDS.MILLIS:SERIAL)`.
///
/// Every record of one event carries the same id. The serial is the kernel's
/// 32-bit event counter, which wraps; the timestamp is when the event began
/// (syscall entry), not when its records were written.
public struct EventID: Hashable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public var seconds: UInt64
    /// Milliseconds within the second (0–999).
    public var milliseconds: UInt16
    /// The kernel's event serial number.
    public var serial: UInt32

    @inlinable
    public init(seconds: UInt64, milliseconds: UInt16, serial: UInt32) {
        self.seconds = seconds
        self.milliseconds = milliseconds
        self.serial = serial
    }

    /// The timestamp in milliseconds since the Unix epoch.
    @inlinable
    public var timestampMilliseconds: UInt64 { seconds &* 1000 &+ UInt64(milliseconds) }

    public var description: String {
        let ms = String(milliseconds)
        return "\(seconds).\(String(repeating: "0", count: 3 - ms.count))\(ms):\(serial)"
    }
}
