/// Bounds that keep a hostile or broken policy file from exhausting memory or
/// time: each one, when exceeded, becomes an error for that file.
public struct YAMLLimits: Sendable, Hashable {
    /// The largest file read, in bytes.
    public var maxFileBytes: Int
    /// The deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// The most anchors (`&a`) in one file.
    public var maxAnchors: Int
    /// The most aliases (`*a`) in one file.
    public var maxAliases: Int
    /// The most nodes a document may have with every alias expanded
    /// (the "billion laughs" bound).
    public var maxExpandedNodes: Int

    public init(
        maxFileBytes: Int = 1 << 20, maxDepth: Int = 32, maxAnchors: Int = 64,
        maxAliases: Int = 128, maxExpandedNodes: Int = 100_000
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxDepth = maxDepth
        self.maxAnchors = maxAnchors
        self.maxAliases = maxAliases
        self.maxExpandedNodes = maxExpandedNodes
    }

    /// The defaults: 1 MiB, depth 32, 64 anchors, 128 aliases, 100,000 expanded nodes.
    public static let `default` = YAMLLimits()
}
