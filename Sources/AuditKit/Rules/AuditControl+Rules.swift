import CAudit
import Glibc
import Synchronization

/// libaudit builds rules in process-wide globals (`_audit_elf`, ...): one rule at a time.
private let libauditRuleLock = Mutex(())

extension AuditControl {
    /// The kernel's rules (`AUDIT_LIST_RULES`), on every filter list.
    public func kernelRules() throws(AuditError) -> [KernelRule] {
        var rules: [KernelRule] = []
        var malformed = 0
        try socket.request(
            type: UInt16(AUDIT_LIST_RULES), payload: UnsafeRawBufferPointer(start: nil, count: 0), untilDone: true,
            what: "listing audit rules (AUDIT_LIST_RULES)"
        ) { type, body in
            guard type == UInt16(AUDIT_LIST_RULES) else { return }
            if let rule = KernelRule(body) { rules.append(rule) } else { malformed += 1 }
        }
        if malformed > 0 {
            throw AuditError(.protocolError, "listing audit rules: \(malformed) rule(s) in the kernel's reply were malformed")
        }
        return rules
    }

    /// Removes every kernel rule carrying `key` (callguard's own by default),
    /// such as those a crashed earlier run left behind. Returns how many it removed.
    @discardableResult
    public func removeRules(withKey key: String = AuditRule.callguardKey) throws(AuditError) -> Int {
        var removed = 0
        for rule in try kernelRules() where rule.hasKey(key) {
            try delete(rule)
            removed += 1
        }
        return removed
    }

    /// Deletes one rule exactly as the kernel listed it (`audit_delete_rule_data`).
    public func delete(_ rule: KernelRule) throws(AuditError) {
        if simulatesLockedConfiguration { throw AuditSocketErrors.refused("deleting audit rule", errno: EPERM) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rule.data.count, alignment: 8)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: rule.data)
        let ptr = buffer.baseAddress!.assumingMemoryBound(to: audit_rule_data.self)
        let rc = libauditRuleLock.withLock { _ in
            socket.drainPending()
            let rc = audit_delete_rule_data(socket.fd, ptr, Int32(bitPattern: rule.filter), Int32(bitPattern: rule.action))
            socket.drainPending()
            return rc
        }
        if rc < 0 {
            throw AuditSocketErrors.refused("deleting audit rule with keys \(rule.keys)", errno: -rc)
        }
    }

    /// Loads `rules` one by one (`audit_add_rule_data` on the exit filter,
    /// action always). Each rule also gets `pid!=excludingPid` (callguard's own
    /// pid by default) so that its own syscalls never feed back. A rule libaudit
    /// or the kernel refuses is reported in the result and skipped.
    public func install(_ rules: [AuditRule], excludingPid: UInt32? = UInt32(getpid())) -> RuleLoadReport {
        var report = RuleLoadReport()
        for rule in rules {
            switch load(rule, excludingPid: excludingPid) {
            case .success: report.installed.append(rule)
            case .failure(let error): report.refused.append(.init(rule: rule, error: error))
            }
        }
        return report
    }

    /// Removes one rule that ``install(_:excludingPid:)`` loaded, given the
    /// same rule and the same `excludingPid` (the kernel deletes the rule whose
    /// binary form is identical). Removing a rule that is not loaded fails with ENOENT.
    public func remove(_ rule: AuditRule, excludingPid: UInt32? = UInt32(getpid())) throws(AuditError) {
        if simulatesLockedConfiguration { throw AuditSocketErrors.refused("deleting audit rule", errno: EPERM) }
        try withRuleData(rule, excludingPid: excludingPid) { data throws(AuditError) in
            let rc = audit_delete_rule_data(socket.fd, data, Int32(AUDIT_FILTER_EXIT), Int32(AUDIT_ALWAYS))
            if rc < 0 {
                throw AuditError(.ruleRefused, errno: -rc,
                    "the kernel did not delete the rule `\(rule)`: \(AuditError.describe(errno: -rc))")
            }
        }.get()
    }

    /// Replaces the kernel's rules carrying `key` with `rules`, without a gap:
    /// rules already loaded stay untouched, the missing ones are loaded first,
    /// and only then are the old rules that are not in the new set removed
    /// (compared by content, ``RuleIdentity``). If any new rule is refused,
    /// the rules just added are taken out again and the old set stays in force
    /// (``RuleReplacement/applied`` is false).
    public func replaceRules(
        with rules: [AuditRule], key: String = AuditRule.callguardKey, excludingPid: UInt32? = UInt32(getpid())
    ) throws(AuditError) -> RuleReplacement {
        var result = RuleReplacement()
        let old = try kernelRules().filter { $0.hasKey(key) }
        let oldIdentities = Set(old.compactMap(\.identity))
        var wanted = Set<RuleIdentity>()
        var identitiesDisagree = false
        for rule in rules {
            switch identity(of: rule, excludingPid: excludingPid) {
            case .failure(let error):
                result.refused.append(.init(rule: rule, error: error))
                continue
            case .success(let id):
                wanted.insert(id)
                if oldIdentities.contains(id) {
                    result.kept.append(rule)
                    continue
                }
            }
            switch load(rule, excludingPid: excludingPid) {
            case .success: result.added.append(rule)
            case .failure(let error) where error.errno == EEXIST:
                // Loaded already, yet no listed rule had its identity: the
                // comparison cannot be trusted, so no old rule is removed below.
                result.kept.append(rule)
                identitiesDisagree = true
            case .failure(let error): result.refused.append(.init(rule: rule, error: error))
            }
        }
        if !result.refused.isEmpty {
            for rule in result.added {
                do throws(AuditError) { try remove(rule, excludingPid: excludingPid) } catch { result.removalErrors.append(error) }
            }
            return result
        }
        result.applied = true
        if identitiesDisagree {
            result.removalErrors.append(
                AuditError(.protocolError, "a new rule was already loaded but not recognised among the listed ones; the old rules stay loaded beside the new ones"))
            return result
        }
        for rule in old {
            guard let id = rule.identity, !wanted.contains(id) else { continue }
            do throws(AuditError) {
                try delete(rule)
                result.removed += 1
            } catch {
                result.removalErrors.append(error)
            }
        }
        return result
    }

    /// The identity `rule` has once loaded with `excludingPid` (libaudit's binary form).
    public func identity(of rule: AuditRule, excludingPid: UInt32? = UInt32(getpid())) -> Result<RuleIdentity, AuditError> {
        var identity: RuleIdentity?
        let built = withRuleData(rule, excludingPid: excludingPid) { data throws(AuditError) in
            // audit_add_rule_data sets these two when it sends; the kernel lists them.
            data.pointee.flags = UInt32(AUDIT_FILTER_EXIT)
            data.pointee.action = UInt32(AUDIT_ALWAYS)
            let size = MemoryLayout<audit_rule_data>.size + Int(data.pointee.buflen)
            identity = RuleIdentity(ruleData: UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: size))
        }
        if case .failure(let error) = built { return .failure(error) }
        guard let identity else { return .failure(AuditError(.ruleRefused, "libaudit built a malformed rule for `\(rule)`")) }
        return .success(identity)
    }

    private func load(_ rule: AuditRule, excludingPid: UInt32?) -> Result<Void, AuditError> {
        if simulatesLockedConfiguration {
            return .failure(AuditError(.ruleRefused, errno: EPERM, "the kernel refused the rule: EPERM (locked)"))
        }
        return withRuleData(rule, excludingPid: excludingPid) { data throws(AuditError) in
            let rc = audit_add_rule_data(socket.fd, data, Int32(AUDIT_FILTER_EXIT), Int32(AUDIT_ALWAYS))
            if rc < 0 {
                let e = -rc
                let hint = e == EEXIST ? " (the same rule is already loaded)" : ""
                throw AuditError(.ruleRefused, errno: e,
                    "the kernel refused the rule: \(AuditError.describe(errno: e))\(hint)")
            }
        }
    }

    /// Builds `rule` (plus `pid!=excludingPid` and its key) in libaudit's
    /// binary form and hands it to `body`, under libaudit's lock, with the
    /// control socket drained before and after.
    private func withRuleData(
        _ rule: AuditRule, excludingPid: UInt32?,
        _ body: (UnsafeMutablePointer<audit_rule_data>) throws(AuditError) -> Void
    ) -> Result<Void, AuditError> {
        guard !rule.syscalls.isEmpty else {
            return .failure(AuditError(.ruleRefused, "the rule names no syscall; callguard never audits every syscall"))
        }
        if rule.coversAllSyscalls && !rule.isBoundedToProcesses {
            return .failure(
                AuditError(
                    .ruleRefused,
                    "the rule `\(rule)` audits every syscall without a pid= or ppid= condition; callguard never audits every syscall of the machine"
                ))
        }
        let filter = Int32(AUDIT_FILTER_EXIT)
        return libauditRuleLock.withLock { _ -> Result<Void, AuditError> in
            CAudit_reset_rule_state()
            var data: UnsafeMutablePointer<audit_rule_data>? = audit_rule_create_data()
            defer { audit_rule_free_data(data) }
            func field(_ pair: String) -> AuditError? {
                // libaudit edits the pair text in place: hand it a writable copy.
                var text = Array(pair.utf8CString)
                let rc = audit_rule_fieldpair_data(&data, &text, filter)
                guard rc < 0 else { return nil }
                let reason = libauditFieldError(rc)
                return AuditError(.ruleRefused, "libaudit refused the field `\(pair)`: \(reason)")
            }
            if let e = field("arch=\(rule.arch.rawValue)") { return .failure(e) }
            for syscall in rule.syscalls {
                if case .number(let n) = syscall, n < 0 {
                    return .failure(AuditError(.ruleRefused, "syscall number \(n) is negative"))
                }
                // libaudit reads the name `all` as every syscall of the arch.
                var name = Array(syscall.description.utf8CString)
                if audit_rule_syscallbyname_data(data, &name) < 0 {
                    return .failure(
                        AuditError(
                            .ruleRefused,
                            "libaudit does not know the syscall `\(syscall)` on arch \(rule.arch.rawValue)"))
                }
            }
            CAudit_mark_syscall_added()
            var pairs = rule.fields.map(\.description)
            if let pid = excludingPid { pairs.append("pid!=\(pid)") }
            pairs.append("key=\(rule.key)")
            for pair in pairs {
                if let e = field(pair) { return .failure(e) }
            }
            socket.drainPending()
            defer { socket.drainPending() }
            do throws(AuditError) {
                try body(data!)
            } catch {
                return .failure(error)
            }
            return .success(())
        }
    }
}

/// What libaudit's negative return codes from `audit_rule_fieldpair_data` mean
/// (libaudit only prints them, through `audit_number_to_errmsg`).
func libauditFieldError(_ rc: Int32) -> String {
    switch rc {
    case -1: "missing operator"
    case -2: "unknown field"
    case -3: "arch must come before the syscalls"
    case -4: "machine type not found"
    case -5: "elf mapping not found"
    case -6: "bit width not supported by this machine"
    case -7: "only valid on the exit filter"
    case -8: "unknown errno name"
    case -9: "unknown file type"
    case -10: "only valid on the exit and entry filters"
    case -13: "missing value after the operator"
    case -14: "the value must be a number"
    case -15: "missing field name before the operator"
    default: "libaudit error code \(rc)"
    }
}
