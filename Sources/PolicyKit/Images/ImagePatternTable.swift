/// Image patterns and what each selects, looked up the one way callguard
/// matches images everywhere (the agent's ``PolicySet`` and the OCI hook's
/// profile index): the most specific matching pattern wins (``ImageSpecificity``;
/// ties by name), else the fallback (the default policy's), else nil.
public struct ImagePatternTable<Value: Sendable>: Sendable {
    /// (pattern, name, value), most specific first.
    private let entries: [(pattern: ImagePattern, name: String, value: Value)]
    /// What images no pattern matches get (the default policy's).
    public let fallback: Value?

    /// `entries` as (pattern, the name that breaks ties, value).
    public init(_ entries: [(ImagePattern, String, Value)], fallback: Value?) {
        self.entries = entries.map { (pattern: $0.0, name: $0.1, value: $0.2) }.sorted {
            $0.pattern.specificity != $1.pattern.specificity
                ? $0.pattern.specificity > $1.pattern.specificity : $0.name < $1.name
        }
        self.fallback = fallback
    }

    /// The value for `image` as the runtime names it (see ``PolicySet/policy(forImage:digest:)``).
    public func lookup(image: String, digest: String? = nil) -> Value? {
        guard let reference = try? ImageReference.parse(image) else { return fallback }
        return lookup(reference, digest: digest)
    }

    /// The value for a parsed reference; `digest` as resolved by the runtime.
    public func lookup(_ reference: ImageReference, digest: String? = nil) -> Value? {
        // A digest that is not ALGORITHM:HEX names nothing a pattern can pin.
        let resolved = digest.flatMap { d in (try? ImageReference.validateDigest(d[...])).map { d } }
        for entry in entries where entry.pattern.matches(reference, digest: resolved) {
            return entry.value
        }
        return fallback
    }
}
