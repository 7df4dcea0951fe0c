/// Checks one YAML document against the policy format of DESIGN.md and turns
/// it into a ``PolicyDocument``, reporting every problem it finds.
///
/// ```yaml
/// apiVersion: callguard.dev/v1
/// kind: SyscallPolicy
/// metadata: {name: nginx}
/// spec: {images: [...], allow: [...], include: [...], severity: high, action: log}
/// ```
struct PolicyDecoder {
    static let apiVersion = "callguard.dev/v1"
    static let kind = "SyscallPolicy"
    static let topKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataKeys = ["name", "description"]
    static let specKeys = ["images", "allow", "include", "severity", "action"]

    var seccompOptions: SeccompImportOptions

    /// `fallbackName` names seccomp profiles (their file's stem).
    func decode(
        _ node: YAMLNode, file: String, fallbackName: String, diagnostics: inout DiagnosticCollector
    ) -> PolicyDocument? {
        if SeccompProfileDecoder.isProfile(node) {
            let set = SeccompProfileDecoder(options: seccompOptions).decode(node, file: file, diagnostics: &diagnostics)
            return PolicyDocument(
                file: file, mark: node.mark, name: Located(value: fallbackName, mark: node.mark), images: nil,
                severity: .medium, body: .seccomp(set))
        }
        let top = MappingFields(
            node, what: "the policy", keys: Self.topKeys, file: file, diagnostics: &diagnostics)
        guard case .mapping = node.kind else { return nil }
        expect(top, "apiVersion", Self.apiVersion, in: node, file: file, diagnostics: &diagnostics)
        expect(top, "kind", Self.kind, in: node, file: file, diagnostics: &diagnostics)

        var name: Located<String>?
        if let metadata = top["metadata"] {
            let m = MappingFields(
                metadata, what: "metadata", keys: Self.metadataKeys, file: file, diagnostics: &diagnostics)
            if let n = m["name"] {
                name = n.string("metadata.name", file: file, diagnostics: &diagnostics)
                if let v = name, !Self.isValidName(v.value) {
                    diagnostics.error(
                        file, v.mark,
                        "metadata.name '\(v.value)' is not a valid name: use lowercase letters, digits, '-', '.', '_', starting and ending with a letter or digit"
                    )
                }
            } else if case .mapping = metadata.kind {
                diagnostics.error(file, metadata.mark, "metadata has no name; add 'name: <policy name>'")
            }
        } else {
            diagnostics.error(file, node.mark, "the policy has no metadata; add 'metadata: {name: <policy name>}'")
        }

        var images: [Located<String>]?
        var allow: [Located<String>] = []
        var include: [Located<String>] = []
        var severity = PolicySeverity.medium
        var action = ProfileAction.log
        if let specNode = top["spec"] {
            let spec = MappingFields(specNode, what: "spec", keys: Self.specKeys, file: file, diagnostics: &diagnostics)
            if let i = spec["images"] { images = i.stringList("spec.images", file: file, diagnostics: &diagnostics) }
            if let a = spec["allow"] { allow = a.stringList("spec.allow", file: file, diagnostics: &diagnostics) }
            if let i = spec["include"] { include = i.stringList("spec.include", file: file, diagnostics: &diagnostics) }
            if let s = spec["severity"]?.string("spec.severity", file: file, diagnostics: &diagnostics) {
                if let v = PolicySeverity(rawValue: s.value) {
                    severity = v
                } else {
                    let names = PolicySeverity.allCases.map(\.rawValue)
                    diagnostics.error(
                        file, s.mark,
                        "unknown severity '\(s.value)'\(Suggestion.hint(for: s.value, in: names)); use one of \(names.joined(separator: ", "))"
                    )
                }
            }
            if let a = spec["action"]?.string("spec.action", file: file, diagnostics: &diagnostics) {
                if let v = ProfileAction(rawValue: a.value) {
                    action = v
                } else {
                    let names = ProfileAction.allCases.map(\.rawValue)
                    diagnostics.error(
                        file, a.mark,
                        "unknown action '\(a.value)'\(Suggestion.hint(for: a.value, in: names)); use one of \(names.joined(separator: ", ")) (log: report the call, errno: make it fail with EPERM)"
                    )
                }
            }
            if case .mapping = specNode.kind, spec["allow"] == nil, spec["include"] == nil {
                diagnostics.error(file, specNode.mark, "spec has neither allow nor include; the policy would allow nothing")
            }
        } else {
            diagnostics.error(file, node.mark, "the policy has no spec; add 'spec: {images: [...], allow: [...]}'")
        }
        guard let name else { return nil }
        return PolicyDocument(
            file: file, mark: node.mark, name: name, images: images, severity: severity, action: action,
            body: .policy(allow: allow, include: include))
    }

    private func expect(
        _ fields: MappingFields, _ key: String, _ value: String, in node: YAMLNode, file: String,
        diagnostics: inout DiagnosticCollector
    ) {
        guard let n = fields[key] else {
            diagnostics.error(file, node.mark, "the policy has no \(key); add '\(key): \(value)'")
            return
        }
        guard let s = n.string(key, file: file, diagnostics: &diagnostics) else { return }
        if s.value != value {
            diagnostics.error(file, s.mark, "\(key) is '\(s.value)', expected '\(value)'")
        }
    }

    static func isValidName(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last, s.count <= 253 else { return false }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        return alnum(first) && alnum(last) && s.allSatisfy { alnum($0) || $0 == "-" || $0 == "." || $0 == "_" }
    }
}
