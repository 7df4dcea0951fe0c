import AuditKit

/// What `callguard learn` observes and for how long.
public struct LearnConfiguration: Sendable {
    /// The image whose containers are observed (a reference; globs allowed, as in a policy's `images`).
    public var image: String
    /// How long to observe.
    public var duration: Duration
    /// The most audit rules installed at once (pid and ppid per arch of the host: 4 per process on x86_64).
    public var maximumRules = 200
    /// How often the running processes are re-read to follow new and exited ones.
    public var rescanInterval: Duration = .seconds(1)
    /// The arches audited per process.
    public var arches: [AuditRule.Arch] = AuditRule.Arch.onHost
    /// unicast (be the audit daemon) or multicast (beside a running auditd).
    public var socketMode: AuditSessionConfiguration.SocketMode = .unicast

    public init(image: String, duration: Duration) {
        self.image = image
        self.duration = duration
    }
}
