import Glibc

/// A point in time with millisecond precision (UTC), as audit reports it.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// A timestamp from milliseconds since the epoch.
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    /// Appends RFC 3339 / ISO 8601 UTC with milliseconds: `2026-11-29T06:00:00.123Z`.
    /// A year beyond 9999 is written with its low four digits, as before.
    public func writeISO8601(into out: inout [UInt8]) {
        // The 24 bytes are filled in place and appended once.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { b in
            writeISO8601(to: b.baseAddress!.assumingMemoryBound(to: UInt8.self))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<24]))
        }
    }

    /// Writes the 24 bytes of ``writeISO8601(into:)`` at `b`.
    @usableFromInline
    func writeISO8601(to b: UnsafeMutablePointer<UInt8>) {
        let c = civil
        @inline(__always) func put(_ value: Int64, _ width: Int, at start: Int) {
            var v = value
            var k = start + width - 1
            while k >= start {
                b[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                k -= 1
            }
        }
        put(c.year, 4, at: 0); b[4] = UInt8(ascii: "-")
        put(Int64(c.month), 2, at: 5); b[7] = UInt8(ascii: "-")
        put(Int64(c.day), 2, at: 8); b[10] = UInt8(ascii: "T")
        put(Int64(c.hour), 2, at: 11); b[13] = UInt8(ascii: ":")
        put(Int64(c.minute), 2, at: 14); b[16] = UInt8(ascii: ":")
        put(Int64(c.second), 2, at: 17); b[19] = UInt8(ascii: ".")
        put(Int64(c.millisecond), 3, at: 20); b[23] = UInt8(ascii: "Z")
    }

    /// The ISO 8601 form as a string.
    public var iso8601: String {
        var out: [UInt8] = []
        writeISO8601(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTC calendar fields (proleptic Gregorian; Howard Hinnant's civil-from-days).
    var civil: (year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        let ms = millisecondsSinceEpoch
        var days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let msOfDay = ms - days * 86_400_000
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        return (
            year, Int(month), Int(day), Int(msOfDay / 3_600_000), Int(msOfDay / 60_000 % 60), Int(msOfDay / 1000 % 60),
            Int(msOfDay % 1000)
        )
    }

    static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        var v = value
        var buf: (UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48)
        withUnsafeMutableBytes(of: &buf) { b in
            var k = width - 1
            while k >= 0 { b[k] = UInt8(48 + v % 10); v /= 10; k -= 1 }
            out.append(contentsOf: b[0..<width])
        }
    }
}
