/// A fully loaded and checked set of policies, and the image → policy lookup.
///
/// Immutable; a reload builds a new set and swaps it in (``PolicyStore``).
public final class PolicySet: Sendable {
    /// Every policy by name, including include-only ones.
    public let policiesByName: [String: CompiledPolicy]
    /// The policies that apply to containers: those with images, and the default.
    public let activePolicies: [CompiledPolicy]
    /// The policy for containers no other policy matches (`images: ["*"]`).
    public let defaultPolicy: CompiledPolicy?
    /// Non-fatal diagnostics from loading.
    public let warnings: [Diagnostic]
    /// (pattern, policy), most specific first.
    private let patterns: [(ImagePattern, CompiledPolicy)]

    init(policies: [CompiledPolicy], warnings: [Diagnostic]) {
        var byName: [String: CompiledPolicy] = [:]
        for p in policies { byName[p.name] = p }
        policiesByName = byName
        activePolicies = policies.filter(\.isActive).sorted { $0.name < $1.name }
        defaultPolicy = policies.first(where: \.isDefault)
        self.warnings = warnings
        patterns = policies.flatMap { p in p.images.map { ($0, p) } }.sorted {
            $0.0.specificity != $1.0.specificity ? $0.0.specificity > $1.0.specificity : $0.1.name < $1.1.name
        }
    }

    /// An empty set: no policies, nothing checked.
    public static let empty = PolicySet(policies: [], warnings: [])

    /// The policy for a container running `image` (as the runtime names it,
    /// e.g. `docker.io/library/nginx:latest` or `localhost/app:1.0`): the most
    /// specific matching pattern's policy, else the default policy, else nil
    /// (the container is not checked). Call once per container and cache.
    public func policy(forImage image: String) -> CompiledPolicy? {
        guard let reference = try? ImageReference.parse(image) else { return defaultPolicy }
        return policy(for: reference)
    }

    /// The policy for a parsed image reference (see ``policy(forImage:)``).
    public func policy(for reference: ImageReference) -> CompiledPolicy? {
        for (pattern, policy) in patterns where pattern.matches(reference) {
            return policy
        }
        return defaultPolicy
    }

    /// The named policy (any policy, also include-only ones).
    public func policy(named name: String) -> CompiledPolicy? { policiesByName[name] }
}
