/// Reads a YAML mapping against a fixed set of keys, reporting wrong types,
/// duplicate keys and unknown keys (with the nearest valid key) as diagnostics.
struct MappingFields {
    private(set) var values: [String: YAMLNode] = [:]
    private(set) var keyMarks: [String: SourceMark] = [:]

    /// Reads `node`, which should be a mapping named `what` in messages.
    /// Unknown keys are errors when `strict`, and ignored otherwise.
    init(
        _ node: YAMLNode, what: String, keys: [String], strict: Bool = true, file: String,
        diagnostics: inout DiagnosticCollector
    ) {
        guard case .mapping(let pairs) = node.kind else {
            diagnostics.error(file, node.mark, "\(what) must be a mapping, found \(node.typeDescription)")
            return
        }
        for pair in pairs {
            guard let key = pair.key.scalar else {
                diagnostics.error(file, pair.key.mark, "keys in \(what) must be plain words, found \(pair.key.typeDescription)")
                continue
            }
            if let first = keyMarks[key] {
                diagnostics.error(
                    file, pair.key.mark,
                    "duplicate key '\(key)' in \(what) (first at line \(first.line)); keep one")
                continue
            }
            guard keys.contains(key) else {
                if strict {
                    diagnostics.error(
                        file, pair.key.mark,
                        "unknown key '\(key)' in \(what)\(Suggestion.hint(for: key, in: keys)); valid keys: \(keys.joined(separator: ", "))"
                    )
                }
                continue
            }
            keyMarks[key] = pair.key.mark
            values[key] = pair.value
        }
    }

    subscript(_ key: String) -> YAMLNode? { values[key] }
}

/// A scalar value with the place it was written.
struct Located<Value: Sendable>: Sendable {
    var value: Value
    var mark: SourceMark
}

extension YAMLNode {
    /// The scalar text, or a diagnostic "X must be a string".
    func string(_ what: String, file: String, diagnostics: inout DiagnosticCollector) -> Located<String>? {
        guard let s = scalar, !isNull else {
            diagnostics.error(file, mark, "\(what) must be a string, found \(typeDescription)")
            return nil
        }
        return Located(value: s, mark: mark)
    }

    /// The items of a list of scalars, or diagnostics for a non-list and for
    /// items that are not scalars.
    func stringList(_ what: String, file: String, diagnostics: inout DiagnosticCollector) -> [Located<String>] {
        if isNull { return [] }
        guard case .sequence(let items) = kind else {
            diagnostics.error(file, mark, "\(what) must be a list, found \(typeDescription); write [a, b] or one '- a' per line")
            return []
        }
        var out: [Located<String>] = []
        out.reserveCapacity(items.count)
        for item in items {
            if let s = item.string("each item of \(what)", file: file, diagnostics: &diagnostics) { out.append(s) }
        }
        return out
    }
}
