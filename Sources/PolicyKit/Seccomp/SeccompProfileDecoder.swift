import AuditKit

/// Reads an OCI / Docker seccomp profile (JSON, parsed as YAML) into the set of
/// syscalls it allows, per arch.
///
/// Syscalls with `SCMP_ACT_ALLOW` or `SCMP_ACT_LOG` are allowed. With
/// `defaultAction: SCMP_ACT_ALLOW` (a denylist profile) every syscall starts
/// allowed and unconditional entries with other actions remove theirs. The
/// profile applies to the arches in `architectures` and in `archMap` (main
/// and sub-architectures); with neither, to every covered arch. Names the
/// covered arches lack (other families' syscalls) are skipped silently; see
/// ``SeccompImportOptions`` for conditional entries.
struct SeccompProfileDecoder {
    var options: SeccompImportOptions
    var table: SyscallTable = .shared

    static let allowActions: Set<String> = ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG"]
    static let knownActions: Set<String> = [
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY",
    ]

    /// Whether a top-level node looks like a seccomp profile rather than a policy.
    static func isProfile(_ node: YAMLNode) -> Bool {
        guard case .mapping(let pairs) = node.kind else { return false }
        let keys = Set(pairs.compactMap { $0.key.scalar })
        return !keys.contains("apiVersion") && (keys.contains("defaultAction") || keys.contains("syscalls"))
    }

    func decode(_ node: YAMLNode, file: String, diagnostics: inout DiagnosticCollector) -> SyscallSet {
        let top = MappingFields(
            node, what: "the seccomp profile",
            keys: ["defaultAction", "architectures", "archMap", "syscalls"], strict: false, file: file,
            diagnostics: &diagnostics)
        var arches = Set<AuditArch>()
        var listed = false
        if let list = top["architectures"] {
            listed = true
            for a in list.stringList("architectures", file: file, diagnostics: &diagnostics) {
                if let arch = SeccompArch.audit(scmp: a.value) { arches.insert(arch) }
            }
        }
        if let map = top["archMap"], !map.isNull {
            listed = true
            if case .sequence(let items) = map.kind {
                for item in items {
                    let f = MappingFields(
                        item, what: "an archMap entry", keys: ["architecture", "subArchitectures"], strict: false,
                        file: file, diagnostics: &diagnostics)
                    if let a = f["architecture"]?.string("architecture", file: file, diagnostics: &diagnostics),
                        let arch = SeccompArch.audit(scmp: a.value)
                    {
                        arches.insert(arch)
                    }
                    if let subs = f["subArchitectures"] {
                        for s in subs.stringList("subArchitectures", file: file, diagnostics: &diagnostics) {
                            if let arch = SeccompArch.audit(scmp: s.value) { arches.insert(arch) }
                        }
                    }
                }
            } else {
                diagnostics.error(file, map.mark, "archMap must be a list, found \(map.typeDescription)")
            }
        }
        let covered = table.arches.filter { !listed || arches.contains($0) }

        var allowed = SyscallSet()
        var defaultAllows = false
        if let d = top["defaultAction"]?.string("defaultAction", file: file, diagnostics: &diagnostics) {
            checkAction(d, file: file, diagnostics: &diagnostics)
            defaultAllows = Self.allowActions.contains(d.value)
        } else if top["defaultAction"] == nil, case .mapping = node.kind {
            diagnostics.error(file, node.mark, "the seccomp profile has no defaultAction; add one (SCMP_ACT_ERRNO)")
        }
        if defaultAllows {
            for arch in covered {
                for n in table.allNumbers(on: arch) { allowed.insert(arch: arch, syscall: n) }
            }
        }

        var removals: [(AuditArch, String)] = []
        if let syscalls = top["syscalls"], !syscalls.isNull {
            guard case .sequence(let entries) = syscalls.kind else {
                diagnostics.error(file, syscalls.mark, "syscalls must be a list, found \(syscalls.typeDescription)")
                return allowed
            }
            for entry in entries {
                let f = MappingFields(
                    entry, what: "a syscalls entry", keys: ["names", "name", "action", "args", "includes", "excludes"],
                    strict: false, file: file, diagnostics: &diagnostics)
                var names = f["names"]?.stringList("names", file: file, diagnostics: &diagnostics) ?? []
                if let one = f["name"]?.string("name", file: file, diagnostics: &diagnostics) { names.append(one) }
                guard let action = f["action"]?.string("action", file: file, diagnostics: &diagnostics) else {
                    if f["action"] == nil, case .mapping = entry.kind {
                        diagnostics.error(file, entry.mark, "a syscalls entry has no action; add one (SCMP_ACT_ALLOW)")
                    }
                    continue
                }
                checkAction(action, file: file, diagnostics: &diagnostics)
                let hasArgs: Bool
                if let args = f["args"], case .sequence(let a) = args.kind { hasArgs = !a.isEmpty } else { hasArgs = false }
                let includes = f["includes"].map { conditions($0, file: file, diagnostics: &diagnostics) } ?? .none
                let excludes = f["excludes"].map { conditions($0, file: file, diagnostics: &diagnostics) } ?? .none
                let allows = Self.allowActions.contains(action.value)
                for arch in covered where applies(includes: includes, excludes: excludes, arch: arch) {
                    for name in names {
                        if allows {
                            if let n = table.number(name.value, on: arch) { allowed.insert(arch: arch, syscall: n) }
                        } else if !hasArgs {
                            removals.append((arch, name.value))
                        }
                    }
                }
            }
        }
        for (arch, name) in removals {
            if let n = table.number(name, on: arch) { allowed.remove(arch: arch, syscall: n) }
        }
        return allowed
    }

    /// The `includes` or `excludes` of a syscalls entry.
    struct Conditions {
        var arches: [String] = []
        var caps: [String] = []
        static let none = Conditions()
    }

    func conditions(_ node: YAMLNode, file: String, diagnostics: inout DiagnosticCollector) -> Conditions {
        if node.isNull { return .none }
        let f = MappingFields(
            node, what: "includes/excludes", keys: ["arches", "caps", "minKernel"], strict: false, file: file,
            diagnostics: &diagnostics)
        return Conditions(
            arches: f["arches"]?.stringList("arches", file: file, diagnostics: &diagnostics).map(\.value) ?? [],
            caps: f["caps"]?.stringList("caps", file: file, diagnostics: &diagnostics).map(\.value) ?? [])
    }

    func applies(includes: Conditions, excludes: Conditions, arch: AuditArch) -> Bool {
        let names = SeccompArch.goNames(arch)
        if !includes.arches.isEmpty, !includes.arches.contains(where: names.contains) { return false }
        if excludes.arches.contains(where: names.contains) { return false }
        if !includes.caps.allSatisfy({ options.capabilities.contains($0) }) { return false }
        if excludes.caps.contains(where: { options.capabilities.contains($0) }) { return false }
        return true
    }

    func checkAction(_ action: Located<String>, file: String, diagnostics: inout DiagnosticCollector) {
        if !Self.knownActions.contains(action.value) {
            diagnostics.error(
                file, action.mark,
                "unknown seccomp action '\(action.value)'\(Suggestion.hint(for: action.value, in: Self.knownActions.sorted()))"
            )
        }
    }
}
