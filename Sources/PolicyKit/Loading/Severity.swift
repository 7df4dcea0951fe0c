/// How serious a violation of a policy is, carried into every violation it reports.
public enum PolicySeverity: String, Sendable, Hashable, CaseIterable, Comparable {
    case low, medium, high, critical

    /// The SIEM's 0–10 scale (ECS `event.severity`, CEF severity).
    public var numericValue: Int {
        switch self {
        case .low: return 3
        case .medium: return 5
        case .high: return 7
        case .critical: return 9
        }
    }

    public static func < (a: PolicySeverity, b: PolicySeverity) -> Bool { a.numericValue < b.numericValue }
}
