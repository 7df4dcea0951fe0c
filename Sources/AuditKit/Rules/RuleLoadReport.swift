/// The outcome of loading rules one by one: which loaded, and which the kernel
/// or libaudit refused and why. A refused rule never stops the others.
public struct RuleLoadReport: Sendable {
    /// A rule that was not loaded, with the reason.
    public struct Refusal: Sendable, CustomStringConvertible {
        public var rule: AuditRule
        public var error: AuditError
        public var description: String { "rule `\(rule)` refused: \(error.message)" }
    }

    /// The rules now in the kernel, in load order.
    public var installed: [AuditRule] = []
    /// The rules that were skipped.
    public var refused: [Refusal] = []

    public init() {}
}
