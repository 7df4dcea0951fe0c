import AuditKit

/// Writes a compiled policy as an OCI seccomp profile that podman, docker and
/// runc accept: `defaultAction: SCMP_ACT_ERRNO` (EPERM), the covered
/// architectures, and the allowlist as `SCMP_ACT_ALLOW` entries.
///
/// A name allowed on every exported arch that has it (`_llseek` exists on
/// i386 only) goes into one unconditional entry: libseccomp skips names an
/// arch lacks. A name allowed on some of the arches that have it gets an
/// entry with `includes.arches`, which runtimes match against the host's
/// native arch, so such a name is allowed for the whole native family or not
/// at all (the OCI format cannot say more).
public struct SeccompProfileExporter: Sendable {
    /// The arches the profile lists, first the native one.
    public var arches: [AuditArch]

    public init(arches: [AuditArch] = RuleCompiler.hostArches) {
        self.arches = arches
    }

    /// The profile as pretty-printed JSON.
    public func export(_ policy: CompiledPolicy) -> String {
        let table = SyscallTable.shared
        let arches = self.arches.filter { table.arches.contains($0) && SeccompArch.scmp($0) != nil }
        // name → arches on which the policy allows it
        var byName: [String: [AuditArch]] = [:]
        for arch in arches {
            for name in policy.syscalls.names(on: arch) {
                byName[SyscallTable.kernelName(name), default: []].append(arch)
            }
        }
        var everywhere: [String] = []
        var partial: [[AuditArch]: [String]] = [:]
        for (name, on) in byName {
            let existsOn = arches.filter { table.number(name, on: $0) != nil }
            if on.count == existsOn.count { everywhere.append(name) } else { partial[on, default: []].append(name) }
        }
        everywhere.sort()

        var entries: [String] = []
        if !everywhere.isEmpty { entries.append(entry(names: everywhere, arches: nil)) }
        for (on, names) in partial.sorted(by: { $0.key.map(\.rawValue).lexicographicallyPrecedes($1.key.map(\.rawValue)) }) {
            entries.append(entry(names: names.sorted(), arches: on.compactMap(SeccompArch.goName)))
        }
        let archList = arches.compactMap(SeccompArch.scmp).map(Self.quote).joined(separator: ", ")
        return """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "architectures": [\(archList)],
              "syscalls": [
            \(entries.joined(separator: ",\n"))
              ]
            }

            """
    }

    private func entry(names: [String], arches: [String]?) -> String {
        var s = "    {\n      \"names\": [\(names.map(Self.quote).joined(separator: ", "))],\n"
        s += "      \"action\": \"SCMP_ACT_ALLOW\""
        if let arches {
            s += ",\n      \"includes\": {\"arches\": [\(arches.map(Self.quote).joined(separator: ", "))]}"
        }
        return s + "\n    }"
    }

    /// A JSON string literal (names are plain identifiers, but escape anyway).
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
