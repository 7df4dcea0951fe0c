import AuditKit

/// Narrows a seccomp filter (an OCI/Docker profile, or the `linux.seccomp` of
/// an OCI runtime config) to a policy, without ever widening it:
///
/// - a syscall the filter allows (`SCMP_ACT_ALLOW`) and the policy allows stays `SCMP_ACT_ALLOW`;
/// - one the filter allows and the policy does not gets the policy's action
///   (`SCMP_ACT_LOG`, or `SCMP_ACT_ERRNO` with `errnoRet` EPERM);
/// - everything else (the filter's denials, its `SCMP_ACT_LOG` entries, its
///   `defaultAction` when that denies, `architectures`, `archMap`, flags) stays
///   as the filter had it.
///
/// An entry is split by names only: its `args`, `includes`, `excludes` and
/// `comment` go with both halves, so conditional rules keep their conditions.
/// A filter whose `defaultAction` is `SCMP_ACT_ALLOW` (a denylist) gets the
/// policy's action as its default, and an `SCMP_ACT_ALLOW` entry for the
/// policy's syscalls that no entry names.
public struct SeccompPolicyMerge: Sendable {
    /// The syscall names (kernel spelling and libaudit's) the policy allows.
    public var allowedNames: Set<String>
    public var action: ProfileAction

    public init(allowedNames: Set<String>, action: ProfileAction) {
        self.allowedNames = allowedNames
        self.action = action
    }

    /// The names a compiled policy allows a container on `arches`: its
    /// allowlist with includes and the runtime's own calls
    /// (``CompiledPolicy/allowed``), in both spellings.
    public init(policy: CompiledPolicy, action: ProfileAction? = nil, arches: [AuditArch] = RuleCompiler.hostArches) {
        var names = Set<String>()
        for arch in arches {
            for n in policy.allowed.names(on: arch) {
                names.insert(n)
                names.insert(SyscallTable.kernelName(n))
            }
        }
        self.init(allowedNames: names, action: action ?? policy.action)
    }

    static let allow = "SCMP_ACT_ALLOW"

    /// `filter` narrowed to the policy (see the type's description).
    public func apply(to filter: JSONObject) -> JSONObject {
        var out = filter
        var named = Set<String>()
        var entries: [JSONValue] = []
        for entry in filter["syscalls"]?.arrayValue ?? [] {
            guard var object = entry.objectValue else {
                entries.append(entry)
                continue
            }
            let names = Self.names(of: object)
            named.formUnion(names)
            guard object["action"]?.stringValue == Self.allow else {
                entries.append(entry)
                continue
            }
            let kept = names.filter { allowedNames.contains($0) }
            let narrowed = names.filter { !allowedNames.contains($0) }
            if narrowed.isEmpty {
                entries.append(entry)
                continue
            }
            if !kept.isEmpty {
                var allowed = object
                allowed["name"] = nil
                allowed["names"] = .array(kept.map(JSONValue.string))
                entries.append(.object(allowed))
            }
            object["name"] = nil
            object["names"] = .array(narrowed.map(JSONValue.string))
            setAction(&object, errnoKey: "errnoRet")
            entries.append(.object(object))
        }
        if filter["defaultAction"]?.stringValue == Self.allow {
            setAction(&out, errnoKey: "defaultErrnoRet")
            let unnamed = allowedNames.subtracting(named).filter { !$0.isEmpty }.sorted()
            if !unnamed.isEmpty {
                entries.append(.object(JSONObject([("names", .array(unnamed.map(JSONValue.string))), ("action", .string(Self.allow))])))
            }
        }
        if filter["syscalls"] != nil || !entries.isEmpty { out["syscalls"] = .array(entries) }
        return out
    }

    /// Gives `object` the policy's action; `errnoKey` carries EPERM for `errno`.
    private func setAction(_ object: inout JSONObject, errnoKey: String) {
        let isDefault = errnoKey == "defaultErrnoRet"
        object[isDefault ? "defaultAction" : "action"] = .string(action.seccompAction)
        object[isDefault ? "defaultErrno" : "errno"] = nil
        switch action {
        case .log: object[errnoKey] = nil
        case .errno: object[errnoKey] = .number(String(ProfileAction.errnoReturn))
        }
    }

    /// The names an entry lists (`names`, and the older single `name`).
    static func names(of entry: JSONObject) -> [String] {
        var names = entry["names"]?.stringArray ?? []
        if let one = entry["name"]?.stringValue { names.append(one) }
        return names
    }
}
