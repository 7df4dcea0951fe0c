/// Malformed records counted by reason, in fixed storage (no allocation).
public struct MalformedCounts: Sendable {
    private var counts: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    /// All malformed records.
    public var total: UInt64 {
        counts.0 &+ counts.1 &+ counts.2 &+ counts.3 &+ counts.4 &+ counts.5 &+ counts.6 &+ counts.7
    }

    /// Counts `times` records (one by default) malformed for `reason`.
    public mutating func count(_ reason: RecordParseError.Reason, times: UInt64 = 1) {
        switch reason.rawValue {
        case 1: counts.0 &+= times
        case 2: counts.1 &+= times
        case 3: counts.2 &+= times
        case 4: counts.3 &+= times
        case 5: counts.4 &+= times
        case 6: counts.5 &+= times
        case 7: counts.6 &+= times
        default: counts.7 &+= times
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
