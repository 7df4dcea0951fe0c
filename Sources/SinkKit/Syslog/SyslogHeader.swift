import Glibc

/// Which syslog message layout to write.
public enum SyslogProtocol: String, Sendable {
    /// RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`.
    case rfc5424
    /// RFC 3164 (BSD): `<PRI>Mmm dd hh:mm:ss HOST APP[PID]: MSG`, for old receivers.
    case rfc3164
}

/// Writes syslog message headers (RFC 5424 or RFC 3164) in front of a formatted
/// violation. Header fields are reduced to what the RFCs allow (printable ASCII,
/// bounded length), so a strange host name cannot break the frame.
public struct SyslogHeader: Sendable {
    public var facility: SyslogFacility
    public var hostName: String
    public var appName: String
    public var procID: String
    public var msgID: String
    public var layout: SyslogProtocol

    public init(
        facility: SyslogFacility = .auth, hostName: String, appName: String = "callguard",
        procID: String = String(getpid()), msgID: String = "violation", layout: SyslogProtocol = .rfc5424
    ) {
        self.facility = facility
        self.hostName = Self.printable(hostName, max: 255)
        self.appName = Self.printable(appName, max: layout == .rfc5424 ? 48 : 32)
        self.procID = Self.printable(procID, max: 128)
        self.msgID = Self.printable(msgID, max: 32)
        self.layout = layout
    }

    /// Appends the header for a message of `severity` at `time`, including the
    /// space that separates it from the message.
    public func write(severity: SyslogSeverity, time: Timestamp, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out.appendDecimal(facility.rawValue * 8 + severity.rawValue)
        out.append(UInt8(ascii: ">"))
        switch layout {
        case .rfc5424:
            out.appendASCII("1 ")
            time.writeISO8601(into: &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: hostName.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: appName.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: procID.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: msgID.utf8)
            out.appendASCII(" - ")
        case .rfc3164:
            let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
            let c = time.civil
            months.withUTF8Buffer { out.append(contentsOf: $0[(c.month - 1) * 3..<c.month * 3]) }
            out.append(UInt8(ascii: " "))
            if c.day < 10 { out.append(UInt8(ascii: " ")) }
            out.appendDecimal(c.day)
            out.append(UInt8(ascii: " "))
            Timestamp.digits(Int64(c.hour), 2, &out); out.append(UInt8(ascii: ":"))
            Timestamp.digits(Int64(c.minute), 2, &out); out.append(UInt8(ascii: ":"))
            Timestamp.digits(Int64(c.second), 2, &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: hostName.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: appName.utf8)
            out.append(UInt8(ascii: "["))
            out.append(contentsOf: procID.utf8)
            out.appendASCII("]: ")
        }
    }

    /// Printable US-ASCII (33...126) only, `-` when empty, at most `max` bytes.
    static func printable(_ s: String, max: Int) -> String {
        var bytes = s.utf8.prefix(max).map { (33...126).contains($0) ? $0 : UInt8(ascii: "_") }
        if bytes.isEmpty { bytes = [UInt8(ascii: "-")] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
