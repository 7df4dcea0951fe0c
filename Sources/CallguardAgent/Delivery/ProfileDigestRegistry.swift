import ContainerKit
import Synchronization

/// The digest of each policy's profile as last published (``ProfileDelivery``),
/// so a violation can say whether its container runs a stale profile. Empty
/// until a publication (replay, or delivery failed): staleness is then unknown.
public final class ProfileDigestRegistry: Sendable {
    /// The registry ``ProfileDelivery`` fills and violations read.
    public static let shared = ProfileDigestRegistry()

    private let digests = Mutex<[String: String]?>(nil)
    /// The state directory of the last publication, whose hook stamps are trusted.
    private let stamps = Mutex<(directory: String?, verdicts: [String: ProfileStamp?])>((nil, [:]))
    private let changes = Atomic<UInt64>(0)

    public init() {}

    /// Changes with every ``replace(with:)`` and ``trustStamps(in:)``: a
    /// caller may keep what it read (a container's profile for its
    /// violations) while the generation it read it under is current.
    public var generation: UInt64 { changes.load(ordering: .acquiring) }

    /// Replaces the digests with those of a publication (policy name → digest).
    public func replace(with digests: [String: String]) {
        self.digests.withLock { $0 = digests }
        changes.add(1, ordering: .releasing)
    }

    /// Trusts the hook stamps recorded under `stateDirectory` from now on (nil: none).
    public func trustStamps(in stateDirectory: String?) {
        stamps.withLock { $0 = (stateDirectory, [:]) }
        changes.add(1, ordering: .releasing)
    }

    /// The state directory whose hook stamps are trusted now (nil: none).
    public var stampDirectory: String? { stamps.withLock { $0.directory } }

    /// `info.profile` when the OCI hook recorded that very stamp for the
    /// container in the published state directory (``HookStampLedger``); nil
    /// otherwise: annotations alone are written by the container's creator.
    public func verifiedStamp(of info: ContainerInfo) -> ProfileStamp? {
        guard let claimed = info.profile else { return nil }
        let key = info.id + "\u{0}" + claimed.description
        return stamps.withLock { state in
            guard let directory = state.directory else { return nil }
            if let known = state.verdicts[key] { return known }
            let verdict = HookStampLedger.verified(container: info.id, claimed: claimed, stateDirectory: directory)
            if state.verdicts.count >= 4096 { state.verdicts.removeAll() }
            state.verdicts[key] = verdict
            return verdict
        }
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
