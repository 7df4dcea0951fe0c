extension Violation {
    /// What a throttle summary stands for: the violations folded into it since
    /// the finding's first occurrence, whose evidence the summary carries.
    ///
    /// The summary's process, path, command line, pid and `audit.serial`/`time`
    /// are those of the finding's first occurrence; `count` is how many
    /// violations the summary stands for, and this span says which: the audit
    /// serials and times of the first and last of them.
    public struct Fold: Sendable, Hashable {
        /// Why these violations were folded together.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// The same finding again (same executable, command line and path).
            case repeats
            /// Findings of this container, image and syscall beyond the throttle's
            /// distinct budget: their details differ, only the first's are kept.
            case distinctOverflow = "distinct_overflow"
            /// The throttle's table was full: violations of any key, only the
            /// first's details are kept.
            case tableFull = "table_full"

            /// The name written in every format (ASCII, nothing to escape).
            public var name: StaticString {
                switch self {
                case .repeats: return "repeats"
                case .distinctOverflow: return "distinct_overflow"
                case .tableFull: return "table_full"
                }
            }
        }

        public var kind: Kind
        /// `audit.serial` of the first and last violation counted.
        public var firstSerial: UInt64
        public var lastSerial: UInt64
        /// `audit.time` of the first and last violation counted.
        public var firstTime: Timestamp
        public var lastTime: Timestamp

        public init(kind: Kind, firstSerial: UInt64, lastSerial: UInt64, firstTime: Timestamp, lastTime: Timestamp) {
            self.kind = kind
            self.firstSerial = firstSerial
            self.lastSerial = lastSerial
            self.firstTime = firstTime
            self.lastTime = lastTime
        }
    }
}
