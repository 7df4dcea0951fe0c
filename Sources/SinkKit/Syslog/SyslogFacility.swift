/// A syslog facility (RFC 5424 §6.2.1), the upper part of PRI.
public struct SyslogFacility: RawRepresentable, Sendable, Hashable {
    public let rawValue: Int
    public init?(rawValue: Int) {
        guard (0...23).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    private init(_ v: Int) { rawValue = v }

    public static let kernel = SyslogFacility(0)
    public static let user = SyslogFacility(1)
    public static let daemon = SyslogFacility(3)
    public static let auth = SyslogFacility(4)
    public static let syslog = SyslogFacility(5)
    public static let authpriv = SyslogFacility(10)
    public static let security = SyslogFacility(13)
    public static let local0 = SyslogFacility(16)
    public static let local1 = SyslogFacility(17)
    public static let local2 = SyslogFacility(18)
    public static let local3 = SyslogFacility(19)
    public static let local4 = SyslogFacility(20)
    public static let local5 = SyslogFacility(21)
    public static let local6 = SyslogFacility(22)
    public static let local7 = SyslogFacility(23)

    /// Parses a facility name as syslog.conf spells it (`auth`, `local0`) or a number.
    public init?(name: String) {
        let names: [String: Int] = [
            "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
            "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
            "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21,
            "local6": 22, "local7": 23,
        ]
        if let v = names[name.lowercased()] { self.init(v) } else if let n = Int(name), let f = SyslogFacility(rawValue: n) { self = f } else { return nil }
    }
}

/// A syslog severity (RFC 5424 §6.2.1), the lower part of PRI.
public enum SyslogSeverity: Int, Sendable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, informational, debug

    /// The syslog severity for a violation's `event.severity` (0...10):
    /// 9-10 critical, 7-8 error, 4-6 warning, 0-3 notice.
    public init(violationSeverity s: Int) {
        switch s {
        case 9...: self = .critical
        case 7...8: self = .error
        case 4...6: self = .warning
        default: self = .notice
        }
    }
}
