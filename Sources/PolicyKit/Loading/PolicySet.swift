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
    /// Image → policy, as the OCI hook's index matches too.
    private let patterns: ImagePatternTable<CompiledPolicy>
    /// The loader (limits, profile directories) the set was loaded with; a
    /// reload through ``PolicyStore`` uses it again.
    public let loader: PolicyLoader

    init(policies: [CompiledPolicy], warnings: [Diagnostic]) {
        var byName: [String: CompiledPolicy] = [:]
        for p in policies { byName[p.name] = p }
        policiesByName = byName
        activePolicies = policies.filter(\.isActive).sorted { $0.name < $1.name }
        defaultPolicy = policies.first(where: \.isDefault)
        self.warnings = warnings
        loader = PolicyLoader()
        patterns = ImagePatternTable(
            policies.flatMap { p in p.images.map { ($0, p.name, p) } }, fallback: policies.first(where: \.isDefault))
    }

    /// `set` as loaded by `loader`.
    init(copying set: PolicySet, loader: PolicyLoader) {
        policiesByName = set.policiesByName
        activePolicies = set.activePolicies
        defaultPolicy = set.defaultPolicy
        warnings = set.warnings
        patterns = set.patterns
        self.loader = loader
    }

    /// An empty set: no policies, nothing checked.
    public static let empty = PolicySet(policies: [], warnings: [])

    /// The policy for a container running `image` (as the runtime names it,
    /// e.g. `docker.io/library/nginx:latest` or `localhost/app:1.0`): the most
    /// specific matching pattern's policy, else the default policy, else nil
    /// (the container is not checked). `digest` is the image's digest as the
    /// runtime resolved it (`ContainerInfo.imageDigest`): pass it, or patterns
    /// pinned to a digest (`nginx@sha256:…`) only match images named by digest.
    /// Call once per container and cache.
    public func policy(forImage image: String, digest: String? = nil) -> CompiledPolicy? {
        patterns.lookup(image: image, digest: digest)
    }

    /// The policy for a parsed image reference (see ``policy(forImage:digest:)``).
    public func policy(for reference: ImageReference, digest: String? = nil) -> CompiledPolicy? {
        patterns.lookup(reference, digest: digest)
    }

    /// The named policy (any policy, also include-only ones).
    public func policy(named name: String) -> CompiledPolicy? { policiesByName[name] }
}
