/// Turns a ``Violation`` into the bytes of one message in one SIEM format.
///
/// Implementations append to a caller-owned buffer, so a sink can reuse one
/// buffer for every message. The output never contains a line break or any other
/// control character.
public protocol ViolationFormatter: Sendable {
    /// Appends the formatted violation to `out`.
    func format(_ violation: Violation, into out: inout [UInt8])
}

extension ViolationFormatter {
    /// The formatted violation as a new byte array.
    public func format(_ violation: Violation) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        format(violation, into: &out)
        return out
    }
}

/// The message formats callguard can emit (`--format`).
public enum ViolationFormat: String, Sendable, CaseIterable {
    /// JSON with Elastic Common Schema field names.
    case json
    /// ArcSight Common Event Format.
    case cef
    /// IBM QRadar Log Event Extended Format 2.0.
    case leef

    /// A formatter for this format.
    public func formatter(productVersion: String = SinkKitVersion.string) -> any ViolationFormatter {
        switch self {
        case .json: return JSONFormatter()
        case .cef: return CEFFormatter(productVersion: productVersion)
        case .leef: return LEEFFormatter(productVersion: productVersion)
        }
    }
}

/// The product version that CEF and LEEF headers carry.
public enum SinkKitVersion {
    public static let string = "0.1.0"
}
