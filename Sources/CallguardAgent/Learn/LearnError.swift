/// Why `callguard learn` could not observe or write a policy; the message says
/// what failed and what to do.
public struct LearnError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as it is shown to the operator.
    public var description: String
    /// Whether the input was unusable (exit 2), as opposed to nothing being observed.
    public var isUsage: Bool

    public init(_ description: String, isUsage: Bool = true) {
        self.description = description
        self.isUsage = isUsage
    }
}
