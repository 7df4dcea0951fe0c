/// Why a record or line could not be parsed. The parser counts and skips it;
/// the reason is kept for statistics and for the operator's log.
public struct RecordParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong, as a stable machine-readable value.
    public struct Reason: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The line or payload ends before the header does.
        public static let truncated = Reason(rawValue: 1)
        /// The `type=`/`msg=audit(` framing is not there.
        public static let badHeader = Reason(rawValue: 2)
        /// The `type=` name is not one libaudit knows, nor `UNKNOWN[n]`.
        public static let unknownType = Reason(rawValue: 3)
        /// `audit(SECONDS.MILLIS:SERIAL)` does not hold three numbers in range.
        public static let badTimestamp = Reason(rawValue: 4)
        /// A quoted value has no closing quote.
        public static let unbalancedQuote = Reason(rawValue: 5)
        /// The record is longer than the configured maximum.
        public static let tooLong = Reason(rawValue: 6)
        /// The record contains a NUL byte where the kernel never writes one.
        public static let nulByte = Reason(rawValue: 7)

        /// The record holds bytes that are not UTF-8 (the kernel hex-encodes them).
        public static let invalidUTF8 = Reason(rawValue: 8)

        /// Every reason, for statistics tables.
        public static let all: [Reason] = [.truncated, .badHeader, .unknownType, .badTimestamp, .unbalancedQuote, .tooLong, .nulByte, .invalidUTF8]

        /// A short snake_case name for statistics.
        public var name: String {
            switch self {
            case .truncated: "truncated"
            case .badHeader: "bad_header"
            case .unknownType: "unknown_type"
            case .badTimestamp: "bad_timestamp"
            case .unbalancedQuote: "unbalanced_quote"
            case .tooLong: "too_long"
            case .nulByte: "nul_byte"
            case .invalidUTF8: "invalid_utf8"
            default: "reason_\(rawValue)"
            }
        }
    }

    /// What was wrong.
    public var reason: Reason
    /// The byte offset in the record where parsing stopped.
    public var offset: Int

    @inlinable
    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        "malformed audit record (\(reason.name) at byte \(offset)); it was counted and skipped"
    }
}
