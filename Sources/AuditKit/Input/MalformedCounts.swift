/// Malformed records counted by reason, in fixed storage (no allocation).
public struct MalformedCounts: Sendable {
    private var counts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    /// All malformed records.
    public var total: UInt64 {
        counts.0 &+ counts.1 &+ counts.2 &+ counts.3 &+ counts.4 &+ counts.5 &+ counts.6 &+ counts.7
    }

    /// Counts one record malformed for `reason`.
    public mutating func count(_ reason: RecordParseError.Reason) {
        switch reason.rawValue {
        case 1: counts.0 &+= 1
        case 2: counts.1 &+= 1
        case 3: counts.2 &+= 1
        case 4: counts.3 &+= 1
        case 5: counts.4 &+= 1
        case 6: counts.5 &+= 1
        case 7: counts.6 &+= 1
        default: counts.7 &+= 1
        }
    }

    /// How many records were malformed for `reason`.
    public subscript(reason: RecordParseError.Reason) -> UInt64 {
        switch reason.rawValue {
        case 1: counts.0
        case 2: counts.1
        case 3: counts.2
        case 4: counts.3
        case 5: counts.4
        case 6: counts.5
        case 7: counts.6
        default: counts.7
        }
    }

    /// The non-zero counts by reason name, for statistics output.
    public var byName: [(String, UInt64)] {
        RecordParseError.Reason.all.compactMap { self[$0] > 0 ? ($0.name, self[$0]) : nil }
    }
}
