import AuditKit

/// A loaded policy with its includes resolved: the allowlist as per-arch
/// bitmaps, and what a violation report needs (name, file, severity).
///
/// Immutable and shared: the agent resolves one per container and keeps it.
public final class CompiledPolicy: Sendable, CustomStringConvertible {
    /// `metadata.name` (for a seccomp profile file, the file's stem).
    public let name: String
    /// The file the policy came from.
    public let file: String
    public let severity: PolicySeverity
    /// The image patterns it claims (empty for the default policy and for
    /// include-only policies).
    public let images: [ImagePattern]
    /// Whether this is the default policy (`images: ["*"]`).
    public let isDefault: Bool
    /// Everything the policy allows, includes merged.
    public let syscalls: SyscallSet

    init(
        name: String, file: String, severity: PolicySeverity, images: [ImagePattern], isDefault: Bool,
        syscalls: SyscallSet
    ) {
        self.name = name
        self.file = file
        self.severity = severity
        self.images = images
        self.isDefault = isDefault
        self.syscalls = syscalls
    }

    /// Whether the policy allows `syscall` (by number) on `arch`: one bitmap test,
    /// no allocation. Arches policies do not cover are never allowed.
    @inlinable
    public func allows(arch: AuditArch, syscall: Int32) -> Bool {
        syscalls.contains(arch: arch, syscall: syscall)
    }

    /// Whether the policy applies to containers (has images or is the default).
    public var isActive: Bool { isDefault || !images.isEmpty }

    public var description: String { "\(name) (\(file))" }
}
