/// The callguard seccomp profile a container was created with, as the OCI
/// hook recorded it in the container's bundle annotations
/// (`dev.callguard.policy`, `dev.callguard.profile-digest`).
///
/// Read from the runtime's state on the host, never from anything the
/// container's processes control. A container without a stamp is unguarded:
/// its syscalls are not matched in the kernel.
public struct ProfileStamp: Sendable, Hashable, CustomStringConvertible {
    /// Annotation that names the policy whose profile the hook applied.
    public static let policyAnnotation = "dev.callguard.policy"
    /// Annotation that carries the applied profile's digest (`sha256:<64 hex>`).
    public static let digestAnnotation = "dev.callguard.profile-digest"

    /// The policy's `metadata.name`.
    public var policy: String
    /// The digest of the profile as applied (`sha256:<64 hex>`).
    public var digest: String

    public init(policy: String, digest: String) {
        self.policy = policy
        self.digest = digest
    }

    public var description: String { "\(policy)@\(digest)" }
}
