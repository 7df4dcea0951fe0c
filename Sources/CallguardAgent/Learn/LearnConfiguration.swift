import AuditKit

/// What `callguard learn` observes and for how long.
public struct LearnConfiguration: Sendable {
    /// The image whose containers are observed (a reference; globs allowed, as in a policy's `images`).
    public var image: String
    /// How long to observe.
    public var duration: Duration
    /// The most audit rules installed at once (4 per process: pid and ppid, b64 and b32).
    public var maximumRules = 200
    /// How often the running processes are re-read to follow new and exited ones.
    public var rescanInterval: Duration = .seconds(1)
    /// The arches audited per process.
    public var arches: [AuditRule.Arch] = [.b64, .b32]
    /// unicast (be the audit daemon) or multicast (beside a running auditd).
    public var socketMode: AuditSessionConfiguration.SocketMode = .unicast

    public init(image: String, duration: Duration) {
        self.image = image
        self.duration = duration
    }
}
