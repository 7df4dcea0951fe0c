/// The callguard seccomp profile a container was created with, as the OCI
/// hook recorded it in the container's bundle annotations
/// (`dev.callguard.policy`, `dev.callguard.profile-digest`, and a token the
/// hook makes anew at each start, `dev.callguard.stamp-token`).
///
/// Read from the runtime's state on the host, never from anything the
/// container's processes control. A container without a stamp is unguarded:
/// its syscalls are not matched in the kernel.
public struct ProfileStamp: Sendable, Hashable, CustomStringConvertible {
    /// Annotation that names the policy whose profile the hook applied.
    public static let policyAnnotation = "dev.callguard.policy"
    /// Annotation that carries the applied profile's digest (`sha256:<64 hex>`).
    public static let digestAnnotation = "dev.callguard.profile-digest"
    /// Annotation with a random token the hook writes at each start of the
    /// container (and records beside the stamp): the container's creator can
    /// write the other two annotations, and they survive a restart without
    /// the hook; this one is the hook's own, for that start only.
    public static let tokenAnnotation = "dev.callguard.stamp-token"

    /// The policy's `metadata.name`.
    public var policy: String
    /// The digest of the profile as applied (`sha256:<64 hex>`).
    public var digest: String
    /// The hook's token for this start of the container (nil: none in the annotations).
    public var token: String?

    public init(policy: String, digest: String, token: String? = nil) {
        self.policy = policy
        self.digest = digest
        self.token = token
    }

    public var description: String { "\(policy)@\(digest)" + (token.map { "#\($0)" } ?? "") }
}
