/// Turns violations into complete messages (optional syslog header + formatted
/// body) in a buffer it reuses, so that steady-state encoding does not allocate.
public struct MessageEncoder: Sendable {
    public var formatter: any ViolationFormatter
    /// The syslog header to prepend; nil for stdout and files (bare lines).
    public var syslog: SyslogHeader?
    private var buffer: [UInt8] = []

    public init(formatter: any ViolationFormatter, syslog: SyslogHeader?) {
        self.formatter = formatter
        self.syslog = syslog
        buffer.reserveCapacity(2048)
    }

    /// Encodes `violation` and passes the message bytes (valid only inside
    /// `body`) to `body`.
    public mutating func encode<R>(_ violation: Violation, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        buffer.removeAll(keepingCapacity: true)
        if let syslog {
            syslog.write(
                severity: SyslogSeverity(violationSeverity: violation.event.severity), time: violation.timestamp,
                into: &buffer)
        }
        formatter.format(violation, into: &buffer)
        return try buffer.withUnsafeBytes(body)
    }

    /// Encodes `violation` into a new array.
    public mutating func encode(_ violation: Violation) -> [UInt8] {
        encode(violation) { Array($0) }
    }
}

/// How messages are delimited on a byte stream (RFC 6587).
public enum StreamFraming: String, Sendable {
    /// `LEN SP MSG` (RFC 6587 §3.4.1, RFC 5425): the default.
    case octetCounting
    /// `MSG LF` (RFC 6587 §3.4.2), for old receivers. Safe here because no
    /// formatter ever emits a line feed.
    case lineFeed

    /// Appends one framed message to `out`.
    public func frame(_ message: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        switch self {
        case .octetCounting:
            out.appendDecimal(message.count)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: message)
        case .lineFeed:
            out.append(contentsOf: message)
            out.append(0x0A)
        }
    }
}
