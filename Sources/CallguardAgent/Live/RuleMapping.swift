import AuditKit
import PolicyKit

/// Maps the rule compiler's output (PolicyKit) onto the rules AuditKit installs.
enum RuleMapping {
    /// The AuditKit rules for `compiled`; the agent's own pid is excluded at install.
    static func auditRules(_ compiled: CompiledRules) -> [AuditRule] {
        compiled.rules.compactMap { rule in
            let arch: AuditRule.Arch
            switch rule.arch {
            case .x86_64, .aarch64: arch = .b64
            case .i386: arch = .b32
            default: return nil
            }
            return AuditRule(arch: arch, syscalls: rule.syscalls.map { .number($0) }, fields: [], key: rule.key)
        }
    }
}
