/// The outcome of ``AuditControl/replaceRules(with:key:excludingPid:)``.
public struct RuleReplacement: Sendable {
    /// Whether the new set is in force. False when any new rule was refused:
    /// then the rules added for it were taken out again and the old set stays.
    public var applied: Bool = false
    /// New rules that were not loaded before and now are (or were, until a refusal rolled them back).
    public var added: [AuditRule] = []
    /// New rules identical to one already loaded: left in place, never removed and re-added.
    public var kept: [AuditRule] = []
    /// Old rules (carrying the key) no longer in the new set, removed after the new ones were in.
    public var removed: Int = 0
    /// New rules libaudit or the kernel refused, and why.
    public var refused: [RuleLoadReport.Refusal] = []
    /// Errors while taking rules out (an old rule, or an added one on roll-back).
    public var removalErrors: [AuditError] = []

    public init() {}
}
