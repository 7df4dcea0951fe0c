import AuditKit

/// The names seccomp profiles give architectures: libseccomp's `SCMP_ARCH_*`
/// (in `architectures` and `archMap`) and Go's GOARCH names (in
/// `includes.arches` / `excludes.arches`), mapped to audit arches.
enum SeccompArch {
    /// `SCMP_ARCH_*` → audit arch, for the arches policies cover.
    static func audit(scmp name: String) -> AuditArch? {
        switch name {
        case "SCMP_ARCH_X86_64": return .x86_64
        case "SCMP_ARCH_X86": return .i386
        case "SCMP_ARCH_AARCH64": return .aarch64
        default: return nil
        }
    }

    /// The `SCMP_ARCH_*` name of a covered audit arch.
    static func scmp(_ arch: AuditArch) -> String? {
        switch arch {
        case .x86_64: return "SCMP_ARCH_X86_64"
        case .i386: return "SCMP_ARCH_X86"
        case .aarch64: return "SCMP_ARCH_AARCH64"
        default: return nil
        }
    }

    /// The GOARCH names that denote `arch` in `includes.arches`.
    static func goNames(_ arch: AuditArch) -> [String] {
        switch arch {
        case .x86_64: return ["amd64"]
        case .i386: return ["x86", "386", "i386"]
        case .aarch64: return ["arm64", "aarch64"]
        default: return []
        }
    }

    /// The GOARCH name runtimes write for `arch` (first of ``goNames(_:)``).
    static func goName(_ arch: AuditArch) -> String? { goNames(arch).first }
}
