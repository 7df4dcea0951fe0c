import Synchronization

/// The digest of each policy's profile as last published (``ProfileDelivery``),
/// so a violation can say whether its container runs a stale profile. Empty
/// until a publication (replay, or delivery failed): staleness is then unknown.
public final class ProfileDigestRegistry: Sendable {
    /// The registry ``ProfileDelivery`` fills and violations read.
    public static let shared = ProfileDigestRegistry()

    private let digests = Mutex<[String: String]?>(nil)

    public init() {}

    /// Replaces the digests with those of a publication (policy name → digest).
    public func replace(with digests: [String: String]) {
        self.digests.withLock { $0 = digests }
    }

    /// Whether a container stamped `digest` runs other than the current
    /// profile of `policy`; nil when nothing was published.
    public func isStale(digest: String, policy: String) -> Bool? {
        digests.withLock { current in
            guard let current else { return nil }
            return current[policy] != digest
        }
    }
}
