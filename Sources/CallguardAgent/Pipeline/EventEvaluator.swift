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
    private var policyByContainer: [String: (image: String?, policy: CompiledPolicy?)] = [:]
    private var assumedPolicy: CompiledPolicy?

    public init(policies: PolicyStore, source: ContainerSource, factory: ViolationFactory, emit: @escaping Emit) {
        self.policies = policies
        self.source = source
        self.factory = factory
        self.emit = emit
    }

    /// Checks one event.
    public func evaluate(_ event: AssembledEvent) {
        var summary: SyscallSummary?
        for i in 0..<event.count {
            let record = event[i]
            guard record.type == .syscall || record.type == .seccomp else { continue }
            do throws(RecordParseError) {
                summary = try SyscallSummary(record)
            } catch {
                counters.malformed &+= 1
                return
            }
            break
        }
        guard let summary else { return }
        guard let arch = summary.arch, let syscall = summary.syscall else {
            counters.unparsableSyscall &+= 1
            return
        }
        counters.syscallEvents &+= 1
        if RuntimeBootstrap.matches(summary) {
            // Not the image's syscall; but the process becomes the container's
            // first process when it executes the command: read it again while it
            // lives (it joins the container's cgroup on the way), so that it and
            // its short-lived children attribute to the container.
            if case .live(let attributor) = source { attributor.refresh(pid: summary.pid ?? -1, ppid: summary.ppid ?? -1) }
            counters.runtimeBootstrap &+= 1
            return
        }
        refreshIfReloaded()

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
            switch attributor.attribute(pid: summary.pid ?? -1, ppid: summary.ppid ?? -1) {
            case .host:
                counters.host &+= 1
                return
            case .unknown:
                counters.unattributed &+= 1
                return
            case .container(let info):
                let found: CompiledPolicy?
                if let cached = policyByContainer[info.id], cached.image == info.imageName {
                    found = cached.policy
                } else {
                    found = info.imageName.flatMap { policies.current.policy(forImage: $0) }
                    policyByContainer[info.id] = (info.imageName, found)
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
        guard !policy.allows(arch: arch, syscall: syscall) else { return }
        counters.violations &+= 1
        violationsByPolicy[policy.name, default: 0] &+= 1
        let container: Violation.Container
        switch culprit {
        case .assumed(let imageName): container = Violation.Container(id: "", runtime: "assumed", imageName: imageName)
        case .container(let info): container = ViolationFactory.container(info)
        }
        emit(factory.make(event: event, summary: summary, container: container, policy: policy))
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
