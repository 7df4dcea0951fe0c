import AuditKit
import ContainerKit
import PolicyKit
import SinkKit

/// Stage 5, verdict: which policy applies to the container's image (a cached
/// policy per container, dropped when the policy set is reloaded), and whether
/// it allows the syscall (one bitmap test). A syscall its policy does not allow
/// is a violation unless the kernel's facts show it came from the container
/// runtime's bootstrap (``Attribution/isRuntimeBootstrap(_:)``). Violations go
/// to the fold (stage 6) when there is one, else to `emit`; a violation is made
/// (``ViolationFactory``, the first place strings are made) only when the fold
/// lets it out or keeps it as a finding's first.
///
/// Single-threaded: it belongs to the thread that reads the audit stream.
public final class Verdict {
    /// Where violations go.
    public typealias Emit = (consuming Violation) -> Void

    /// What the verdict decided so far.
    public struct Counters: Sendable, Equatable {
        /// Events checked against a container's policy.
        public var checked: UInt64 = 0
        /// Events from containers that no policy (not even a default) applies to.
        public var noPolicy: UInt64 = 0
        /// Not-allowed syscalls of a container runtime's bootstrap, not reported.
        public var runtimeBootstrap: UInt64 = 0
        /// Violations by containers whose image is not known (the default policy applied).
        public var imageUnknown: UInt64 = 0
        /// Violations reported from seccomp records of processes no container could be found for.
        public var containerUnknown: UInt64 = 0
        /// Events whose syscall number or arch did not parse (checked, and so violations when attributed).
        public var unparsableSyscall: UInt64 = 0
        /// Violations found.
        public var violations: UInt64 = 0
    }

    /// What the verdict decided so far.
    public private(set) var counters = Counters()
    /// Violations found, by policy name.
    public var violationsByPolicy: [String: UInt64] {
        guard let name = runPolicy, runCount > 0 else { return byPolicy }
        var all = byPolicy
        all[name, default: 0] &+= runCount
        return all
    }
    private var byPolicy: [String: UInt64] = [:]
    /// Violations of the same policy in a row are counted here, not in the
    /// dictionary (no string hashed per violation): `runCount` of `runPolicy`.
    private var runPolicy: String?
    private var runCount: UInt64 = 0

    private let policies: PolicyStore
    private let factory: ViolationFactory
    private let emit: Emit
    /// Stage 6, when violations are throttled here (`run`, `replay`).
    public let fold: Fold?
    /// ``fold`` for the hot path, used as a guaranteed reference (``fold``
    /// holds it): binding the strong optional, or an unowned one, retained and
    /// released it per violation.
    private let foldOnPath: Unmanaged<Fold>?
    private var generation: UInt64 = .max
    /// Policy per container id, with the image name it was resolved for (a
    /// container's image becomes known late when its state was not on disk yet).
    /// Each entry's `slot` is the container's number in the fold's keys (``Fold/Key``).
    /// An entry resolved under another policy generation is resolved again (its slot kept).
    private var policyByContainer:
        [String: (image: String?, digest: String?, policy: CompiledPolicy?, slot: Int, generation: UInt64)] = [:]
    private var assumed: (image: String, policy: CompiledPolicy?, slot: Int)?
    /// The last container resolved (held, so that its identity is not reused),
    /// with the policy generation, policy and fold slot it was resolved to.
    /// Separate properties: reading them as one optional tuple would copy it
    /// (a retain and release of each reference) on every event.
    private var lastInfo: ContainerInfo?
    private var lastGeneration: UInt64 = 0
    private var lastPolicy: CompiledPolicy?
    private var lastSlot = 0
    /// The last container's `callguard.profile` (see ``profile(of:judgedBy:)``),
    /// and the container, policy and registry generation it was found under.
    private var lastProfile: Violation.Profile?
    private var profileFor: (info: ContainerInfo?, policy: CompiledPolicy?, generation: UInt64) = (nil, nil, 0)
    /// The next fold-key number (0 is "no container"); never reused, so a key
    /// still in the fold after a reload is not mistaken for another container's.
    private var nextSlot = 1
    /// The wall clock (ms) the fold judges violations against: read at the
    /// batch's first violation and kept for the rest of the batch once the
    /// source marks batches (``startBatch()``, the live source: a batch is one
    /// receive, microseconds long, and the fold counts in milliseconds);
    /// without batches (`replay`), read for each violation.
    private var batchClock: Int64?
    private var clockPerBatch = false

    /// A verdict whose violations go to `emit`, through a fold with
    /// `throttle`'s settings when one is given.
    public init(policies: PolicyStore, factory: ViolationFactory, throttle: Throttle? = nil, emit: @escaping Emit) {
        self.policies = policies
        self.factory = factory
        self.emit = emit
        fold = throttle.map { Fold($0, emit: emit) }
        foldOnPath = fold.map { .passUnretained($0) }
    }

    /// A batch of audit messages begins: its violations share one reading of the clock.
    @inline(__always)
    public func startBatch() {
        clockPerBatch = true
        batchClock = nil
    }

    @inline(__always)
    private func now() -> Int64 {
        if let batchClock { return batchClock }
        let now = Timestamp.now().millisecondsSinceEpoch
        if clockPerBatch { batchClock = now }
        return now
    }

    /// Decides about `event`, made by `culprit`.
    public func check(_ event: SyscallEvent, culprit: Attribution.Culprit, attribution: Attribution) {
        let summary = event.summary
        // A syscall number or arch that does not parse (-1, beyond Int32) is in
        // no allowlist: it is checked like any other and so always a violation.
        let arch = summary.arch
        let syscall = summary.syscall
        if _slowPath(arch == nil || syscall == nil) { counters.unparsableSyscall &+= 1 }
        refreshIfReloaded()

        let policy: CompiledPolicy
        var slot = 0
        var imageUnknown = false
        switch culprit {
        case .host, .unattributable:
            return
        case .unknown:
            // No container can be named: the process and its parent exited
            // before /proc was read. A seccomp filter's record says the
            // process's own profile refused the syscall, and only guarded
            // containers have one: reported. An audit rule's record says
            // nothing of where it came from, and most such records are the
            // host's own short-lived processes (podman's network set-up,
            // build tools), which no policy covers: counted, not reported.
            if event.origin == .seccomp { reportContainerUnknown(event) }
            return
        case .assumed(let imageName):
            if assumed?.image != imageName {
                assumed = (imageName, policies.current.policy(forImage: imageName), nextSlot)
                nextSlot += 1
            }
            guard let found = assumed?.policy else {
                counters.noPolicy &+= 1
                return
            }
            policy = found
            slot = assumed?.slot ?? 0
        case .container(let info):
            let resolved = policyFor(info)
            guard let found = resolved.policy else {
                counters.noPolicy &+= 1
                return
            }
            policy = found
            slot = resolved.slot
            imageUnknown = info.imageName == nil
        }
        counters.checked &+= 1
        if let arch, let syscall, policy.allows(arch: arch, syscall: syscall) { return }
        if attribution.isRuntimeBootstrap(event) {
            counters.runtimeBootstrap &+= 1
            return
        }
        counters.violations &+= 1
        countViolation(of: policy.name)
        if imageUnknown { counters.imageUnknown &+= 1 }
        // The fold first: a flood's repeat is counted there, before anything
        // is captured for making its violation (each capture a retain).
        let handoff = handoff(event, container: slot)
        if case .counted = handoff { return }
        switch culprit {
        case .container(let info):
            send(handoff) {
                var violation = factory.make(event, container: ViolationFactory.container(info), policy: policy)
                violation.event.action =
                    info.imageName == nil ? Violation.Event.notAllowedImageUnknown : Violation.Event.notAllowed
                violation.profile = profile(of: info, judgedBy: policy)
                return violation
            }
        case .assumed(let imageName):
            send(handoff) {
                var violation = factory.make(
                    event, container: Violation.Container(id: "", runtime: "assumed", imageName: imageName), policy: policy)
                violation.event.action = Violation.Event.notAllowed
                return violation
            }
        case .host, .unknown, .unattributable:
            return
        }
    }

    /// Where a violation goes after the fold's first look at it.
    private enum Handoff {
        /// Counted as a repeat of the fold's run: nothing more to do.
        case counted
        /// To be admitted to the fold.
        case admit(Fold.Admission)
        /// No fold: made and emitted.
        case emit
    }

    /// The fold's first look at `event`'s violation in the container numbered `container`.
    @inline(__always)
    private func handoff(_ event: SyscallEvent, container: Int) -> Handoff {
        guard let fold = foldOnPath else { return .emit }
        let admission = Fold.Admission(event, container: container, now: now())
        return fold._withUnsafeGuaranteedRef { $0.countRepeat(admission) } ? .counted : .admit(admission)
    }

    /// Hands a violation on: through the fold (which calls `make` only if it
    /// needs the violation), or straight to `emit`.
    private func send(_ handoff: Handoff, make: () -> Violation) {
        switch handoff {
        case .counted: return
        case .admit(let admission): fold?.admit(admission, make: make)
        case .emit: emit(make())
        }
    }

    @inline(__always)
    private func countViolation(of name: String) {
        if runPolicy == name {
            runCount &+= 1
            return
        }
        if let previous = runPolicy, runCount > 0 { byPolicy[previous, default: 0] &+= runCount }
        runPolicy = name
        runCount = 1
    }

    /// The policy of `info`'s image: an image that is not known gets the
    /// default policy, never none; a policy pinned to a digest matches the
    /// digest the runtime resolved.
    private func policyFor(_ info: ContainerInfo) -> (policy: CompiledPolicy?, slot: Int) {
        // A container's events come in runs: the same (immutable) info as the
        // last one, under the same policy generation, needs no lookup.
        if lastInfo === info, lastGeneration == generation { return (lastPolicy, lastSlot) }
        let resolved = resolvePolicy(info)
        lastInfo = info
        lastGeneration = generation
        lastPolicy = resolved.policy
        lastSlot = resolved.slot
        return resolved
    }

    private func resolvePolicy(_ info: ContainerInfo) -> (policy: CompiledPolicy?, slot: Int) {
        let cached = policyByContainer[info.id]
        if let cached, cached.image == info.imageName, cached.digest == info.imageDigest, cached.generation == generation {
            return (cached.policy, cached.slot)
        }
        let found =
            info.imageName.map { policies.current.policy(forImage: $0, digest: info.imageDigest) }
            ?? policies.current.defaultPolicy
        // A reload keeps a container's fold key; another image makes another key.
        let slot: Int
        if let cached, cached.image == info.imageName {
            slot = cached.slot
        } else {
            slot = nextSlot
            nextSlot += 1
        }
        policyByContainer[info.id] = (info.imageName, info.imageDigest, found, slot, generation)
        return (found, slot)
    }

    /// A seccomp record of a process no container could be found for.
    private func reportContainerUnknown(_ event: SyscallEvent) {
        counters.containerUnknown &+= 1
        counters.violations &+= 1
        let fallback = policies.current.defaultPolicy
        let rule = Violation.Policy(name: fallback?.name ?? "", file: fallback?.file ?? "")
        countViolation(of: rule.name)
        let handoff = handoff(event, container: 0)
        if case .counted = handoff { return }
        send(handoff) {
            var violation = factory.make(
                event, container: nil, rule: rule,
                severity: fallback?.severity.numericValue ?? PolicySeverity.high.numericValue)
            violation.event.action = Violation.Event.notAllowedContainerUnknown
            return violation
        }
    }

    /// `callguard.profile` of `info`'s violations judged by `policy`, kept
    /// for the last container while the registry has not changed (a
    /// container's violations come in runs; each would otherwise take the
    /// registry's locks and build its stamp's key).
    private func profile(of info: ContainerInfo, judgedBy policy: CompiledPolicy) -> Violation.Profile? {
        let registry = ProfileDigestRegistry.shared
        let generation = registry.generation
        // Compared field by field: reading the cache as one tuple would copy it.
        if profileFor.info === info, profileFor.policy === policy, profileFor.generation == generation {
            return lastProfile
        }
        let profile = ViolationFactory.profile(of: info, judgedBy: policy, registry: registry)
        profileFor = (info, policy, generation)
        lastProfile = profile
        return profile
    }

    /// Resolves cached per-container policies again after a reload (cheap when nothing changed).
    private func refreshIfReloaded() {
        let current = policies.generation
        guard current != generation else { return }
        generation = current
        if let a = assumed { assumed = (a.image, policies.current.policy(forImage: a.image), a.slot) }
    }
}
