#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on a monotonic clock; injectable so that tests control rate limits and grace periods.
public typealias SecondsClock = @Sendable () -> Double

/// The system's monotonic clock in seconds.
public let monotonicSeconds: SecondsClock = {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
