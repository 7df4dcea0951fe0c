import AuditKit
import ContainerKit
import SinkKit

/// Everything `callguard run` (and `replay`, for what applies) can be told:
/// the embedded defaults, overridden by a config file, overridden by options.
public struct AgentConfiguration: Sendable, Equatable {
    /// The policies directory (`./policies`, else `/etc/callguard/policies`).
    public var policiesDirectory: String?
    /// Sink specs (`stdout`, `file:PATH`, `syslog+tcp://HOST:PORT`, ...).
    public var sinks: [String] = ["stdout"]
    /// The violation format.
    public var format: ViolationFormat = .json
    /// Unicast (the registered audit daemon) or multicast (read-only, beside auditd).
    public var socketMode: AuditSessionConfiguration.SocketMode = .unicast
    /// Which audit exit rules the agent keeps (`--rules`; see ``RuleMode``).
    public var ruleMode: RuleMode = .auto
    /// The most per-process rules (`auto`, `containers`) loaded at once.
    public var maximumProcessRules = 200
    /// The kernel's backlog_limit while callguard runs.
    public var backlogLimit: UInt32 = 8192
    /// The kernel's backlog_wait_time while callguard runs (0: never stall the host).
    public var backlogWaitTime: UInt32 = 0
    /// Events open at once in the assembler.
    public var maximumOpenEvents = 4096
    /// Processes kept in the attribution cache.
    public var processCacheSize = 65_536
    /// Violations waiting in memory per sink.
    public var queueCapacity = 10_000
    /// Identical violations within this many milliseconds become one with a count.
    public var throttleWindowMilliseconds: Int64 = 10_000
    /// At most this many violations per second per sink.
    public var throttleMaximumPerSecond = 100
    /// Where undeliverable violations are spooled (none: dropped and counted when the queue is full).
    public var spoolDirectory: String?
    /// The spool's size limit.
    public var spoolMaximumBytes = 64 << 20
    /// Bytes a sink keeps in memory, ahead of the spool, while its receiver is
    /// down (`replay` sets it; `run` spools at once, which survives a restart).
    public var sinkHoldBytes = 0
    /// Prometheus metrics on this loopback `HOST:PORT`, when set.
    public var metricsAddress: String?
    /// Where the container runtimes keep their state (add a docker `--data-root`
    /// or a containerd `--state` that is not the default here).
    public var stateRoots = ContainerStateRoots()
    /// Where the policies' seccomp profiles go (OCI hook state, kubelet profiles).
    public var profileDelivery = ProfileDeliveryConfiguration()

    public init() {}

    /// The policies directory to use when none was configured.
    public static func defaultPoliciesDirectory(fileExists: (String) -> Bool) -> String {
        fileExists("policies") ? "policies" : "/etc/callguard/policies"
    }
}
