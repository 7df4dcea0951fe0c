import AuditKit

/// Computes the fewest audit rules that still see every possible violation of
/// a policy set, as AuditKit's ``AuditKit/AuditRule`` (the rule that is
/// installed, and printed by `callguard rules`: one model, one renderer).
///
/// A syscall that every active policy allows (the default policy included)
/// can never be a violation and needs no rule; every other syscall the arch
/// has is audited. The kernel's per-rule syscall mask (`AUDIT_BITMASK_SIZE`
/// 64 × 32 bits = 2048 syscalls) holds every syscall of an arch, so each arch
/// gets at most one rule. With no active policy nothing is checked and no rule
/// is needed.
public struct RuleCompiler: Sendable {
    /// Syscall numbers one rule's mask can hold (`AUDIT_BITMASK_SIZE * 32`).
    public static let maskBits: Int32 = 2048

    /// The arches rules are made for.
    public var arches: [AuditArch]
    /// The key on every rule (callguard's own, ``AuditKit/AuditRule/callguardKey``).
    public var key: String

    public init(arches: [AuditArch] = RuleCompiler.hostArches, key: String = AuditRule.callguardKey) {
        self.arches = arches
        self.key = key
    }

    /// The covered arches a process on this host can use: x86_64 and i386 on an
    /// x86_64 host, aarch64 on an arm64 one.
    public static var hostArches: [AuditArch] {
        #if arch(x86_64)
            return [.x86_64, .i386]
        #elseif arch(arm64)
            return [.aarch64]
        #else
            return []
        #endif
    }

    /// The rules for `set`, with per-arch counts. The agent's own pid is
    /// excluded when they are installed (``AuditKit/AuditControl/install(_:excludingPid:)``).
    /// An arch that is not one of this host's rule ABIs (``AuditKit/AuditRule/Arch``) gets no rule.
    public func compile(_ set: PolicySet) -> CompiledRules {
        let active = set.activePolicies
        var rules: [AuditRule] = []
        var summaries: [CompiledRules.ArchSummary] = []
        guard let first = active.first else { return CompiledRules(rules: [], summaries: []) }
        var allowedByAll = first.syscalls
        for p in active.dropFirst() { allowedByAll.formIntersection(p.syscalls) }
        let table = SyscallTable.shared
        for arch in arches where table.arches.contains(arch) {
            let all = table.allNumbers(on: arch)
            // Set numbers stop below SyscallTable.capacity (1024) < maskBits: one mask holds them all.
            let audited = all.filter { !allowedByAll.contains(arch: arch, syscall: $0) }
            summaries.append(
                CompiledRules.ArchSummary(arch: arch, audited: audited.count, skipped: all.count - audited.count))
            if !audited.isEmpty, let ruleArch = AuditRule.Arch(arch) {
                rules.append(AuditRule(arch: ruleArch, syscalls: audited.sorted().map { .number($0) }, key: key))
            }
        }
        return CompiledRules(rules: rules, summaries: summaries)
    }

    /// The rules that see every syscall `policy` does not allow (by its
    /// verdict, ``CompiledPolicy/allows(arch:syscall:)``), one per arch, each
    /// limited by `fields` (such as `pid=P`: per-process rules for a container
    /// that has no callguard seccomp profile). An arch whose every syscall the
    /// policy allows gets none.
    public func rules(notAllowedBy policy: CompiledPolicy, fields: [AuditRuleField]) -> [AuditRule] {
        let table = SyscallTable.shared
        return arches.compactMap { arch in
            guard table.arches.contains(arch), let ruleArch = AuditRule.Arch(arch) else { return nil }
            let audited = table.allNumbers(on: arch).filter { !policy.allows(arch: arch, syscall: $0) }
            guard !audited.isEmpty else { return nil }
            return AuditRule(arch: ruleArch, syscalls: audited.sorted().map { .number($0) }, fields: fields, key: key)
        }
    }
}

/// The rules for a policy set and, per arch, how many syscalls they audit and
/// how many need no audit because every active policy allows them.
public struct CompiledRules: Hashable, Sendable {
    /// Per-arch counts.
    public struct ArchSummary: Hashable, Sendable {
        public var arch: AuditArch
        public var audited: Int
        public var skipped: Int
    }

    public var rules: [AuditRule]
    public var summaries: [ArchSummary]

    /// The rules in auditctl syntax as `auditctl -l` lists them once
    /// installed with `excludingPid` (``AuditKit/AuditRule/auditctl(excludingPid:)``),
    /// one per line, after `#` comment lines with the counts (a file `auditctl -R` accepts).
    public func auditctl(excludingPid: UInt32?) -> String {
        var lines: [String] = []
        for s in summaries {
            lines.append(
                "# \(s.arch): \(s.audited) syscalls audited, \(s.skipped) skipped (allowed by every active policy)")
        }
        if rules.isEmpty { lines.append("# no rules: no active policy, or every policy allows every syscall") }
        lines += rules.map { $0.auditctl(excludingPid: excludingPid) }
        return lines.joined(separator: "\n") + "\n"
    }
}
