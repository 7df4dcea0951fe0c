/// What the OCI hook does when it cannot apply a container's profile (state
/// directory missing or unreadable, image unknown, config it cannot parse).
public enum HookFailureMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// The container starts with the config it had (unguarded); the failure is
    /// recorded for the agent. The default.
    case open
    /// The hook exits non-zero with the reason, so the container does not start.
    case deny
}
