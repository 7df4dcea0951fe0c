import Testing

@testable import SinkKit

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (951_782_400_999, "2000-02-29T00:00:00.999Z"),
        (1_795_932_000_123, "2026-11-29T06:00:00.123Z"),
        (4_107_542_399_000, "2100-02-28T23:59:59.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func iso8601IsUTCWithMilliseconds(ms: Int64, expected: String) {
        #expect(Timestamp(millisecondsSinceEpoch: ms).iso8601 == expected)
    }
}
