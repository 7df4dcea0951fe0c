/// What a container's seccomp filter does with a syscall its image's policy
/// does not allow (and the runtime's own profile does): `spec.action` of a policy.
public enum ProfileAction: String, Sendable, Hashable, CaseIterable {
    /// `SCMP_ACT_LOG`: the call runs and the kernel writes one audit record
    /// (type 1326) for it; callguard reports it. The default.
    case log
    /// `SCMP_ACT_ERRNO` with EPERM: the call fails (enforcement, opt-in per policy).
    case errno

    /// The seccomp action the profile gives a call the policy does not allow.
    public var seccompAction: String {
        switch self {
        case .log: return "SCMP_ACT_LOG"
        case .errno: return "SCMP_ACT_ERRNO"
        }
    }

    /// The errno an `errno` profile returns: EPERM.
    public static let errnoReturn = 1
}
