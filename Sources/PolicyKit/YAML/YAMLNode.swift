/// A node of a parsed YAML document, with the place it starts in its file.
///
/// Aliases are resolved to a copy of the anchored node (arrays share storage,
/// so copies are cheap); `weight` counts the nodes an expansion would visit,
/// which is what the alias limit bounds.
public struct YAMLNode: Sendable {
    /// The shape of a node and its content.
    public enum Kind: Sendable {
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var mark: SourceMark
    /// Whether a scalar was written plain (unquoted), where YAML 1.1 would read
    /// `true`, `null`, `12` as non-strings.
    public var isPlain: Bool
    /// The number of nodes in this subtree with aliases expanded.
    public var weight: Int

    public init(kind: Kind, mark: SourceMark, isPlain: Bool = false, weight: Int = 1) {
        self.kind = kind
        self.mark = mark
        self.isPlain = isPlain
        self.weight = weight
    }

    /// The scalar's text, or nil for a sequence or mapping.
    public var scalar: String? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    /// Whether this is a plain `null`, `~` or empty scalar.
    public var isNull: Bool {
        guard isPlain, let s = scalar else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// What a reader would call this node's type, for "expected X, found Y" messages.
    public var typeDescription: String {
        switch kind {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One key and its value in a YAML mapping.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}
