import AuditKit
import ContainerKit
import PolicyKit

/// `learn`'s last stage: for each summarised event, whether it is a syscall of
/// one of the image's containers (attribution, stage 4; and not of the
/// runtime's bootstrap), and if so one more call of that syscall. SYSCALL and
/// SECCOMP records count alike (``SyscallEvent``).
///
/// Single-threaded: it belongs to the thread that reads the audit stream, and
/// the owner reads the result only after that thread has returned.
final class LearnTally: PipelineStage {
    private let attribution: Attribution
    private let matcher: ImageMatcher
    private var calls: [AuditArch: [Int32: UInt64]] = [:]
    private var matchByContainer: [String: (image: String?, matches: Bool)] = [:]
    private(set) var containers: Set<String> = []
    private(set) var events: UInt64 = 0
    private(set) var runtimeBootstrap: UInt64 = 0
    private(set) var ignored: UInt64 = 0
    private(set) var malformed: UInt64 = 0

    init(attributor: Attributor, matcher: ImageMatcher) {
        self.attribution = Attribution(source: .live(attributor))
        self.matcher = matcher
    }

    /// Summarises and counts one event (what ``AuditPipeline`` does for each).
    func add(_ event: AssembledEvent) { takeEvent(event) }

    /// Counts one syscall.
    func take(_ event: SyscallEvent) {
        guard let arch = event.summary.arch, let syscall = event.summary.syscall else { return }
        guard case .container(let info) = attribution.attribute(event), matches(info) else {
            ignored &+= 1
            return
        }
        // runc init's set-up inside the container's cgroup is the runtime's, not
        // the image's (decided by the kernel's facts, not by the process's name).
        if attribution.isRuntimeBootstrap(event) {
            runtimeBootstrap &+= 1
            return
        }
        containers.insert(info.id)
        events &+= 1
        calls[arch, default: [:]][syscall, default: 0] &+= 1
    }

    func takeMalformed() { malformed &+= 1 }

    /// Once per batch, before it is evaluated: drops exited processes from the cache.
    func beginBatch() { attribution.beginBatch() }

    /// Housekeeping off the per-event path (retries images not yet resolved).
    func sweep() { attribution.sweep() }

    func publish(into statistics: inout PipelineStatistics) {}

    private func matches(_ info: ContainerInfo) -> Bool {
        if let cached = matchByContainer[info.id], cached.image == info.imageName { return cached.matches }
        let result = matcher.matches(info.imageName)
        matchByContainer[info.id] = (info.imageName, result)
        return result
    }

    /// The counts by syscall name, and the numbers without one (`arch:number`).
    func named() -> (counts: [String: UInt64], unnamed: Set<String>) {
        var counts: [String: UInt64] = [:]
        var unnamed: Set<String> = []
        for (arch, numbers) in calls {
            for (number, count) in numbers {
                if let name = arch.syscallName(number) {
                    counts[name, default: 0] &+= count
                } else {
                    unnamed.insert("\(arch):\(number)")
                }
            }
        }
        return (counts, unnamed)
    }
}

/// Whether a container's recorded image is the one being learned: the
/// `--image` reference read as a PolicyKit image pattern (so `app` means
/// `docker.io/library/app:latest`, and globs work as in `spec.images`).
public struct ImageMatcher: Sendable {
    /// The pattern.
    public let pattern: ImagePattern

    public init(_ image: String) throws(LearnError) {
        do {
            pattern = try ImagePattern(image)
        } catch {
            throw LearnError("--image '\(image)' is not an image reference: \(error.message)")
        }
    }

    /// Whether `imageName` (as a runtime recorded it) matches.
    public func matches(_ imageName: String?) -> Bool {
        guard let imageName, let reference = try? ImageReference.parse(imageName) else { return false }
        return pattern.matches(reference)
    }
}
