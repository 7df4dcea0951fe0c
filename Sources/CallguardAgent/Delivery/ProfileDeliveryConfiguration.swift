/// Where and how `callguard run` delivers its policies' seccomp profiles.
public struct ProfileDeliveryConfiguration: Sendable, Equatable {
    /// The OCI hook's state: `index.json` and `profiles/<policy>.json`; nil:
    /// none written (`--state-dir none`, e.g. on Kubernetes nodes, whose
    /// runtimes do not run libpod hooks).
    public var stateDirectory: String? = ProfileDeliveryConfiguration.defaultStateDirectory
    /// The kubelet's seccomp root (profiles go to `<root>/callguard/<policy>.json`).
    /// nil: ``defaultKubeletSeccompRoot``, used only when it exists.
    public var kubeletSeccompRoot: String?
    /// What the hook does when it fails (written into the index).
    public var hookFailure: HookFailureMode = .open
    /// The base profile; nil: the host runtime's default (``MergedProfileBuilder/hostDefaultCandidates``).
    public var baseProfile: String?

    public init() {}

    public static let defaultStateDirectory = "/run/callguard"
    public static let defaultKubeletSeccompRoot = "/var/lib/kubelet/seccomp"
}
