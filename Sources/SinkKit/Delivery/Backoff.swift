/// Reconnection delays: exponential from `initialMS` up to `maxMS`, each drawn
/// uniformly from the upper half of the current step ("equal jitter"), so many
/// agents that lost one SIEM do not all return in the same instant.
public struct Backoff: Sendable {
    public var initialMS: Int64
    public var maxMS: Int64
    private var step: Int64

    public init(initialMS: Int64 = 100, maxMS: Int64 = 30_000) {
        self.initialMS = initialMS
        self.maxMS = maxMS
        self.step = initialMS
    }

    /// The next delay in milliseconds; doubles the step.
    public mutating func next() -> Int64 {
        let d = step / 2 + Int64.random(in: 0...max(0, step - step / 2))
        step = min(maxMS, step * 2)
        return d
    }

    /// Back to the initial delay after a success.
    public mutating func reset() { step = initialMS }
}
