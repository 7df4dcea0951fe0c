/// One syscall that a container made outside its image's allowlist: the record
/// that every sink formats (JSON after the Elastic Common Schema, CEF, LEEF).
///
/// Field groups mirror DESIGN.md's JSON; there (``JSONFormatter``) the syscall,
/// count and fold are under `callguard.`, the policy is `rule.*`, the audit
/// event `@timestamp` and `event.sequence`, and the ppid `process.parent.pid`.
/// What the kernel's record does not say (a SECCOMP record has no ppid, and is
/// logged before the call runs, so nothing says how it ended) is nil and left
/// out of every format rather than invented. Everything the audited process controls
/// is ``UntrustedBytes``; other strings come from the agent, the runtime or the
/// policy files and are escaped all the same.
public struct Violation: Sendable, Hashable {
    /// The fields, in one copy-on-write box: a violation is handed from the
    /// factory through the fold to each sink's queue and thread, and a copy
    /// of the box is one retain where a copy of the fields was one per string.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        // Mutated only when uniquely referenced (``Violation/makeUnique()``):
        // no access can overlap another, so none is checked at run time.
        @exclusivity(unchecked) @usableFromInline var timestamp: Timestamp
        @exclusivity(unchecked) @usableFromInline var event: Event
        @exclusivity(unchecked) @usableFromInline var hostName: String
        @exclusivity(unchecked) @usableFromInline var container: Container?
        @exclusivity(unchecked) @usableFromInline var process: Process
        @exclusivity(unchecked) @usableFromInline var syscall: Syscall
        @exclusivity(unchecked) @usableFromInline var policy: Policy
        @exclusivity(unchecked) @usableFromInline var audit: Audit
        @exclusivity(unchecked) @usableFromInline var count: Int
        @exclusivity(unchecked) @usableFromInline var fold: Fold? = nil
        @exclusivity(unchecked) @usableFromInline var profile: Profile? = nil
        @exclusivity(unchecked) @usableFromInline var source: Source? = nil
        @exclusivity(unchecked) @usableFromInline var seccomp: SeccompResult? = nil

        @inlinable
        init(
            timestamp: Timestamp, event: Event, hostName: String, container: Container?, process: Process,
            syscall: Syscall, policy: Policy, audit: Audit, count: Int
        ) {
            self.timestamp = timestamp
            self.event = event
            self.hostName = hostName
            self.container = container
            self.process = process
            self.syscall = syscall
            self.policy = policy
            self.audit = audit
            self.count = count
        }

        @inlinable
        func copy() -> Storage {
            let c = Storage(
                timestamp: timestamp, event: event, hostName: hostName, container: container, process: process,
                syscall: syscall, policy: policy, audit: audit, count: count)
            c.fold = fold
            c.profile = profile
            c.source = source
            c.seccomp = seccomp
            return c
        }
    }

    @usableFromInline var storage: Storage

    /// Gives this violation a box of its own before a field changes.
    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// When callguard found the violation (JSON `event.created`, CEF `rt`, LEEF `devTime`).
    public var timestamp: Timestamp {
        @inlinable _read { yield storage.timestamp }
        @inlinable set {
            makeUnique()
            storage.timestamp = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.timestamp
        }
    }

    /// `event.*`.
    public var event: Event {
        @inlinable _read { yield storage.event }
        @inlinable set {
            makeUnique()
            storage.event = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.event
        }
    }

    /// `host.name`: the node callguard runs on.
    public var hostName: String {
        @inlinable _read { yield storage.hostName }
        @inlinable set {
            makeUnique()
            storage.hostName = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.hostName
        }
    }

    /// `container.*` (and `orchestrator.*` for Kubernetes); nil for a host process.
    public var container: Container? {
        @inlinable _read { yield storage.container }
        @inlinable set {
            makeUnique()
            storage.container = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.container
        }
    }

    /// `process.*`.
    public var process: Process {
        @inlinable _read { yield storage.process }
        @inlinable set {
            makeUnique()
            storage.process = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.process
        }
    }

    /// `syscall.*`.
    public var syscall: Syscall {
        @inlinable _read { yield storage.syscall }
        @inlinable set {
            makeUnique()
            storage.syscall = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.syscall
        }
    }

    /// `policy.*`.
    public var policy: Policy {
        @inlinable _read { yield storage.policy }
        @inlinable set {
            makeUnique()
            storage.policy = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.policy
        }
    }

    /// `audit.*`: the kernel's own event id.
    public var audit: Audit {
        @inlinable _read { yield storage.audit }
        @inlinable set {
            makeUnique()
            storage.audit = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.audit
        }
    }

    /// `count`: how many violations this one stands for (see ``Throttle``).
    public var count: Int {
        @inlinable _read { yield storage.count }
        @inlinable set {
            makeUnique()
            storage.count = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.count
        }
    }

    /// On a throttle summary: what the count folded (see ``Fold``); nil otherwise.
    public var fold: Fold? {
        @inlinable _read { yield storage.fold }
        @inlinable set {
            makeUnique()
            storage.fold = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.fold
        }
    }

    /// The callguard seccomp profile the container was created with (from its
    /// bundle's annotations); nil when it has none (unguarded) or is not a container.
    public var profile: Profile? {
        @inlinable _read { yield storage.profile }
        @inlinable set {
            makeUnique()
            storage.profile = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.profile
        }
    }

    /// `callguard.source`: which kind of kernel record reported the syscall;
    /// nil for reports that come from no record (``Event/containerUnguarded``).
    public var source: Source? {
        @inlinable _read { yield storage.source }
        @inlinable set {
            makeUnique()
            storage.source = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.source
        }
    }

    /// `callguard.seccomp.*`: what the seccomp filter did with the syscall,
    /// from the SECCOMP record's `code`; nil when no seccomp record was seen.
    public var seccomp: SeccompResult? {
        @inlinable _read { yield storage.seccomp }
        @inlinable set {
            makeUnique()
            storage.seccomp = newValue
        }
        @inlinable _modify {
            makeUnique()
            yield &storage.seccomp
        }
    }

    public static func == (a: Violation, b: Violation) -> Bool {
        if a.storage === b.storage { return true }
        let (x, y) = (a.storage, b.storage)
        return x.timestamp == y.timestamp && x.event == y.event && x.hostName == y.hostName && x.container == y.container
            && x.process == y.process && x.syscall == y.syscall && x.policy == y.policy && x.audit == y.audit
            && x.count == y.count && x.fold == y.fold && x.profile == y.profile && x.source == y.source
            && x.seccomp == y.seccomp
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.timestamp)
        hasher.combine(storage.event)
        hasher.combine(storage.hostName)
        hasher.combine(storage.container)
        hasher.combine(storage.process)
        hasher.combine(storage.syscall)
        hasher.combine(storage.policy)
        hasher.combine(storage.audit)
        hasher.combine(storage.count)
        hasher.combine(storage.fold)
        hasher.combine(storage.profile)
        hasher.combine(storage.source)
        hasher.combine(storage.seccomp)
    }

    /// `event.outcome` (ECS: `success`, `failure`, `unknown`): from the syscall's
    /// own result when a SYSCALL record gave it; otherwise from the seccomp
    /// action: a refused call (errno, kill, trap) failed, a logged one (or one
    /// left to a tracer or supervisor) ended in a way no record says.
    public var outcome: Outcome {
        if let success = syscall.success { return success ? .success : .failure }
        switch seccomp?.action {
        case .errno?, .kill?, .trap?: return .failure
        default: return .unknown
        }
    }

    @inlinable
    public init(
        timestamp: Timestamp, event: Event = Event(), hostName: String, container: Container?,
        process: Process, syscall: Syscall, policy: Policy, audit: Audit, count: Int = 1
    ) {
        storage = Storage(
            timestamp: timestamp, event: event, hostName: hostName, container: container, process: process,
            syscall: syscall, policy: policy, audit: audit, count: count)
    }

    /// `event.kind`, `event.action`, `event.severity` (0...10, CEF's scale).
    public struct Event: Sendable, Hashable {
        public var kind: String
        public var action: String
        public var severity: Int
        /// `event.action` of a syscall the container's image policy does not allow.
        public static let notAllowed = "syscall-not-allowed"
        /// `event.action` when the container is known but its image is not (its
        /// runtime state could not be read): the default policy was applied, and
        /// `container.image.name` is empty.
        public static let notAllowedImageUnknown = "syscall-not-allowed-image-unknown"
        /// `event.action` when no container could be named (the process and its
        /// parent exited before `/proc` was read) but a seccomp filter logged the
        /// syscall, so the process's own profile did not allow it; no `container.*`.
        public static let notAllowedContainerUnknown = "syscall-not-allowed-container-unknown"
        /// `event.action` of the once-per-container report that a container runs
        /// without a callguard seccomp profile (its syscalls are not matched in
        /// the kernel): `container.*` and the policy are set, no syscall was made
        /// (number -1, empty name and arch: the formats write no syscall and no
        /// serial, see ``Violation/isNotice``).
        public static let containerUnguarded = "container-unguarded"
        /// `event.action` of the notice that the kernel dropped audit records
        /// (its backlog was full: a flood, or the agent fell behind), so that
        /// violations may be missing from the SIEM for that time: `callguard.count`
        /// is how many records were dropped since the last notice; no container,
        /// process, rule or syscall (the formats leave them out).
        public static let recordsLost = "audit-records-lost"

        @inlinable
        public init(kind: String = "alert", action: String = Event.notAllowed, severity: Int = 7) {
            self.kind = kind
            self.action = action
            self.severity = max(0, min(10, severity))
        }
    }

    /// `container.id`, `container.runtime`, `container.image.name`, plus
    /// Kubernetes' pod, namespace and container name when known.
    public struct Container: Sendable, Hashable {
        public var id: String
        public var runtime: String
        public var imageName: String
        public var podName: String?
        public var namespace: String?
        public var containerName: String?
        @inlinable
        public init(
            id: String, runtime: String, imageName: String,
            podName: String? = nil, namespace: String? = nil, containerName: String? = nil
        ) {
            self.id = id
            self.runtime = runtime
            self.imageName = imageName
            self.podName = podName
            self.namespace = namespace
            self.containerName = containerName
        }
    }

    /// `process.pid`, `process.ppid`, `process.name` (comm), `process.executable`
    /// (exe), `process.user.id` (uid), and when known `process.command_line`
    /// (proctitle) and `file.path` (the path argument of the syscall).
    public struct Process: Sendable, Hashable {
        public var pid: Int32
        /// nil when unknown (SECCOMP records carry no ppid).
        public var ppid: Int32?
        public var name: UntrustedBytes
        public var executable: UntrustedBytes
        public var userID: String
        /// The process title (audit's PROCTITLE, arguments separated by NUL bytes).
        public var commandLine: UntrustedBytes?
        /// The path the syscall named (audit's PATH record), if any.
        public var filePath: UntrustedBytes?
        @inlinable
        public init(
            pid: Int32, ppid: Int32?, name: UntrustedBytes, executable: UntrustedBytes, userID: String,
            commandLine: UntrustedBytes? = nil, filePath: UntrustedBytes? = nil
        ) {
            self.pid = pid
            self.ppid = ppid
            self.name = name
            self.executable = executable
            self.userID = userID
            self.commandLine = commandLine
            self.filePath = filePath
        }
    }

    /// `syscall.name`, `syscall.number`, `syscall.arch`, `syscall.success`, `syscall.exit`,
    /// and `syscall.exists_on_host_kernel`: whether the host's running kernel has
    /// the syscall at all (after a kernel upgrade, a storm of violations for a
    /// syscall the kernel no longer has is an ENOSYS storm, not an attack).
    public struct Syscall: Sendable, Hashable {
        public var name: String
        public var number: Int
        public var arch: String
        /// nil when unknown: a SECCOMP record is logged before the call runs.
        public var success: Bool?
        /// The return value or -errno; nil when unknown, as ``success``.
        public var exit: Int64?
        /// nil when unknown (a kernel release or syscall the catalogue does not know).
        public var existsOnHostKernel: Bool?
        @inlinable
        public init(name: String, number: Int, arch: String, success: Bool?, exit: Int64?, existsOnHostKernel: Bool? = nil) {
            self.name = name
            self.number = number
            self.arch = arch
            self.success = success
            self.exit = exit
            self.existsOnHostKernel = existsOnHostKernel
        }
    }

    /// `policy.name`, `policy.file`: the policy that was broken.
    public struct Policy: Sendable, Hashable {
        public var name: String
        public var file: String
        @inlinable
        public init(name: String, file: String) {
            self.name = name
            self.file = file
        }
    }

    /// `audit.serial`, `audit.time`: the audit event's id.
    public struct Audit: Sendable, Hashable {
        public var serial: UInt64
        public var time: Timestamp
        @inlinable
        public init(serial: UInt64, time: Timestamp) {
            self.serial = serial
            self.time = time
        }
    }

    /// The seccomp profile a guarded container runs with: JSON
    /// `callguard.profile.{policy,digest,stale}`.
    public struct Profile: Sendable, Hashable {
        /// The policy whose profile the OCI hook applied.
        public var policy: String
        /// The applied profile's digest (`sha256:<hex>`).
        public var digest: String
        /// Whether it differs from the current profile of the policy that judged
        /// the call (the container predates a policy change); nil when unknown.
        public var stale: Bool?

        @inlinable
        public init(policy: String, digest: String, stale: Bool?) {
            self.policy = policy
            self.digest = digest
            self.stale = stale
        }
    }
}
