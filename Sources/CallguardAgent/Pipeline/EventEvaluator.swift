import AuditKit
import ContainerKit
import PolicyKit
import SinkKit

/// The verdict stage: for each assembled event, which container made it, which
/// policy applies to that container's image, and whether the policy allows the
/// syscall. Violations go to `emit`.
///
/// The per-event work is a cache lookup (ContainerKit), a cached policy per
/// container (dropped when the policy set is reloaded) and one bitmap test.
/// Nothing the process controls (comm, exe, argv) decides whether it is
/// checked: a syscall its policy does not allow is a violation unless the
/// kernel's own facts show it came from the container runtime's bootstrap
/// (``ContainerKit/Attributor/isRuntimeBootstrap(pid:ppid:)``), which is asked
/// only then, so allowed syscalls pay nothing for it.
/// Single-threaded: it belongs to the thread that reads the audit stream.
public final class EventEvaluator {
    /// Where violations go.
    public typealias Emit = (Violation) -> Void

    /// What happened so far.
    public private(set) var counters = EvaluatorCounters()
    /// Violations found, by policy name.
    public private(set) var violationsByPolicy: [String: UInt64] = [:]

    private let policies: PolicyStore
    private let source: ContainerSource
    private let factory: ViolationFactory
    private let emit: Emit
    private var generation: UInt64 = .max
    /// Policy per container id, with the image name it was resolved for (a
    /// container's image becomes known late when its state was not on disk yet).
    private var policyByContainer: [String: (image: String?, digest: String?, policy: CompiledPolicy?)] = [:]
    private var assumedPolicy: CompiledPolicy?

    public init(policies: PolicyStore, source: ContainerSource, factory: ViolationFactory, emit: @escaping Emit) {
        self.policies = policies
        self.source = source
        self.factory = factory
        self.emit = emit
    }

    /// Call once per batch of audit messages, after receiving it and before
    /// evaluating it: processes that exited stop being answered from the cache
    /// (see ``ContainerKit/Attributor/collectExits()``).
    @inline(__always)
    public func beginBatch() {
        if case .live(let attributor) = source { attributor.collectExits() }
    }

    /// Checks one event.
    public func evaluate(_ event: AssembledEvent) {
        var summary: SyscallSummary?
        var fromSeccomp = false
        for i in 0..<event.count {
            let record = event[i]
            guard record.type == .syscall || record.type == .seccomp else { continue }
            do throws(RecordParseError) {
                summary = try SyscallSummary(record)
            } catch {
                counters.malformed &+= 1
                return
            }
            fromSeccomp = record.type == .seccomp
            break
        }
        guard let summary else { return }
        counters.syscallEvents &+= 1
        // A syscall number or arch that does not parse (-1, beyond Int32) is in
        // no allowlist: it is checked like any other and so always a violation.
        let arch = summary.arch
        let syscall = summary.syscall
        if _slowPath(arch == nil || syscall == nil) { counters.unparsableSyscall &+= 1 }
        refreshIfReloaded()
        let pid = summary.pid ?? -1
        let ppid = summary.ppid ?? -1

        // Which policy applies, and who to name in a violation (built only if one is found).
        let policy: CompiledPolicy
        let culprit: Culprit
        switch source {
        case .none:
            counters.unattributed &+= 1
            return
        case .assumed(let imageName):
            guard let assumed = assumedPolicy else {
                counters.noPolicy &+= 1
                return
            }
            policy = assumed
            culprit = .assumed(imageName)
        case .live(let attributor):
            switch attributor.attribute(pid: pid, ppid: ppid) {
            case .host:
                counters.host &+= 1
                return
            case .unknown:
                counters.unattributed &+= 1
                // No container can be named: the process and its parent exited
                // before /proc was read. A seccomp filter's record says the
                // process's own profile refused the syscall, and only guarded
                // containers have one: reported. An audit rule's record says
                // nothing of where it came from, and most such records are the
                // host's own short-lived processes (podman's network set-up,
                // build tools), which no policy covers: counted, not reported.
                guard fromSeccomp else { return }
                reportContainerUnknown(event: event, summary: summary)
                return
            case .container(let info):
                let found: CompiledPolicy?
                if let cached = policyByContainer[info.id], cached.image == info.imageName, cached.digest == info.imageDigest {
                    found = cached.policy
                } else {
                    // An image that is not known gets the default policy, never none.
                    // A policy pinned to a digest matches the digest the runtime resolved.
                    found =
                        info.imageName.map { policies.current.policy(forImage: $0, digest: info.imageDigest) }
                        ?? policies.current.defaultPolicy
                    policyByContainer[info.id] = (info.imageName, info.imageDigest, found)
                }
                guard let found else {
                    counters.noPolicy &+= 1
                    return
                }
                policy = found
                culprit = .container(info)
            }
        }
        counters.checked &+= 1
        if let arch, let syscall, policy.allows(arch: arch, syscall: syscall) { return }
        if case .live(let attributor) = source, attributor.isRuntimeBootstrap(pid: pid, ppid: ppid) {
            counters.runtimeBootstrap &+= 1
            return
        }
        counters.violations &+= 1
        violationsByPolicy[policy.name, default: 0] &+= 1
        let container: Violation.Container
        var action = Violation.Event.notAllowed
        switch culprit {
        case .assumed(let imageName): container = Violation.Container(id: "", runtime: "assumed", imageName: imageName)
        case .container(let info):
            container = ViolationFactory.container(info)
            if info.imageName == nil {
                counters.imageUnknown &+= 1
                action = Violation.Event.notAllowedImageUnknown
            }
        }
        var violation = factory.make(event: event, summary: summary, container: container, policy: policy)
        violation.event.action = action
        if case .container(let info) = culprit { violation.profile = ViolationFactory.profile(of: info, judgedBy: policy) }
        emit(violation)
    }

    /// A seccomp record of a process no container could be found for.
    private func reportContainerUnknown(event: AssembledEvent, summary: SyscallSummary) {
        counters.containerUnknown &+= 1
        counters.violations &+= 1
        let fallback = policies.current.defaultPolicy
        let rule = Violation.Policy(name: fallback?.name ?? "", file: fallback?.file ?? "")
        violationsByPolicy[rule.name, default: 0] &+= 1
        var violation = factory.make(
            event: event, summary: summary, container: nil, rule: rule,
            severity: fallback?.severity.numericValue ?? PolicySeverity.high.numericValue)
        violation.event.action = Violation.Event.notAllowedContainerUnknown
        emit(violation)
    }

    /// Who made the event, as far as the evaluator knows.
    private enum Culprit {
        case assumed(String)
        case container(ContainerInfo)
    }

    /// Drops cached per-container policies after a reload (cheap when nothing changed).
    private func refreshIfReloaded() {
        let current = policies.generation
        guard current != generation else { return }
        generation = current
        policyByContainer.removeAll(keepingCapacity: true)
        if case .assumed(let imageName) = source {
            assumedPolicy = policies.current.policy(forImage: imageName)
        }
    }
}
