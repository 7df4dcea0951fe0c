/// What a given kernel offers of one syscall, per ``SyscallCatalogue`` (by
/// version) or per the kernel's own table (``KernelSyscallTable``).
public enum SyscallAvailability: Sendable, Hashable, CustomStringConvertible {
    /// The kernel has it.
    case present
    /// The kernel has it, but it is deprecated (since a release, when known).
    case deprecated(since: KernelVersion?)
    /// The kernel is older than the release that introduced it.
    case missing(introduced: KernelVersion)
    /// The kernel is at or after the release that removed it.
    case removed(in: KernelVersion)
    /// A reserved slot the standard kernel never implemented.
    case unimplemented
    /// The kernel's own table says it does not implement it although its version
    /// has it: configured out (a weak alias of `sys_ni_syscall`) or without an
    /// entry point at all.
    case notImplemented(configuredOut: Bool)
    /// libaudit has no number for it on the arch asked about.
    case notOnArch
    /// The catalogue does not know the name.
    case unknown

    /// Whether calling it on that kernel can work: true for present and
    /// deprecated, false for missing, removed, unimplemented and not-on-arch,
    /// nil when unknown.
    public var exists: Bool? {
        switch self {
        case .present, .deprecated: return true
        case .missing, .removed, .unimplemented, .notOnArch, .notImplemented: return false
        case .unknown: return nil
        }
    }

    /// Whether an image using it breaks on that kernel (ENOSYS where it used to work).
    public var breaks: Bool {
        switch self {
        case .missing, .removed, .notImplemented: return true
        default: return false
        }
    }

    /// A short word for tables and JSON: present, deprecated, missing, removed,
    /// unimplemented, not-implemented, not-on-arch, unknown.
    public var verdict: String {
        switch self {
        case .present: return "present"
        case .deprecated: return "deprecated"
        case .missing: return "missing"
        case .removed: return "removed"
        case .unimplemented: return "unimplemented"
        case .notImplemented: return "not-implemented"
        case .notOnArch: return "not-on-arch"
        case .unknown: return "unknown"
        }
    }

    public var description: String {
        switch self {
        case .present: return "present"
        case .deprecated(let since): return since.map { "deprecated since \($0)" } ?? "deprecated"
        case .missing(let v): return "missing (introduced in \(v))"
        case .removed(let v): return "removed in \(v)"
        case .unimplemented: return "never implemented (reserved slot)"
        case .notImplemented(let configuredOut):
            return configuredOut
                ? "not implemented by this kernel (configured out: weak entry point, ENOSYS)"
                : "not implemented by this kernel (no entry point)"
        case .notOnArch: return "not on this arch"
        case .unknown: return "not in the catalogue"
        }
    }
}
