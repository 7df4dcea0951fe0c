import ContainerKit
import PolicyKit
import SinkKit

extension ViolationFactory {
    /// `callguard.profile` of a violation by a container stamped `stamp`
    /// (nil: unguarded), judged by the current `policy`: stale when the
    /// container's profile is not that policy's current one.
    public static func profile(
        _ stamp: ProfileStamp?, judgedBy policy: CompiledPolicy, registry: ProfileDigestRegistry = .shared
    ) -> Violation.Profile? {
        guard let stamp else { return nil }
        return Violation.Profile(
            policy: stamp.policy, digest: stamp.digest, stale: registry.isStale(digest: stamp.digest, policy: policy.name))
    }
}
