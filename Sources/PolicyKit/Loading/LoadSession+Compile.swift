import Foundation

/// Compiling a load: images, the default policy, and ties between policies.
extension LoadSession {
    mutating func finish() -> PolicyLoadResult {
        var compiled: [CompiledPolicy] = []
        var defaultIndex: Int?
        var claims: [ImageClaim] = []
        // A policy whose name is taken is not compiled, but its own problems are still reported.
        for i in policyIndices where byName[documents[i].name.value] != i { _ = resolve(i) }
        for i in policyIndices where byName[documents[i].name.value] == i {
            let doc = documents[i]
            let set = resolve(i)
            var patterns: [ImagePattern] = []
            var isDefault = false
            if let images = doc.images {
                if images.count == 1, images[0].value == "*" {
                    isDefault = true
                    if let d = defaultIndex {
                        let f = documents[d]
                        diagnostics.error(
                            doc.file, images[0].mark,
                            "a second default policy (images: [\"*\"]); '\(f.name.value)' in \(f.file) is already the default; keep one"
                        )
                    } else {
                        defaultIndex = i
                    }
                } else {
                    for image in images {
                        guard image.value != "*" else {
                            diagnostics.error(
                                doc.file, image.mark,
                                "'*' makes a policy the default and must be its only image; move the other images to another policy"
                            )
                            continue
                        }
                        do {
                            let p = try ImagePattern(image.value)
                            patterns.append(p)
                            claims.append(ImageClaim(pattern: p, policy: i, mark: image.mark))
                        } catch {
                            diagnostics.error(
                                doc.file, image.mark, "image pattern '\(image.value)' can never match: \(error.message)")
                        }
                    }
                }
            }
            compiled.append(
                CompiledPolicy(
                    name: doc.name.value, file: doc.file, severity: doc.severity, images: patterns,
                    isDefault: isDefault, syscalls: set, action: doc.action))
        }
        checkTies(claims)
        let sorted = diagnostics.sorted
        guard !diagnostics.hasErrors else { return PolicyLoadResult(set: nil, diagnostics: sorted) }
        return PolicyLoadResult(
            set: PolicySet(policies: compiled, warnings: sorted.filter { $0.severity == .warning }),
            diagnostics: sorted)
    }

    /// One image pattern of one policy, where it was written.
    struct ImageClaim {
        var pattern: ImagePattern
        var policy: Int
        var mark: SourceMark
    }

    /// Two patterns of different policies with equal specificity that can
    /// match one image leave no rule for which wins: an error on the later one.
    mutating func checkTies(_ claims: [ImageClaim]) {
        var buckets: [ImageSpecificity: [Int]] = [:]
        for (k, c) in claims.enumerated() { buckets[c.pattern.specificity, default: []].append(k) }
        for (_, members) in buckets.sorted(by: { $0.key < $1.key }) {
            var literal: [String: [Int]] = [:]
            var globbed: [Int] = []
            for k in members {
                let r = claims[k].pattern.reference
                if r.registry.contains("*") || r.repository.contains("*") {
                    globbed.append(k)
                } else {
                    literal[r.registry + "/" + r.repository, default: []].append(k)
                }
            }
            var pairs: [(Int, Int)] = []
            for (_, group) in literal where group.count > 1 {
                for x in 0..<group.count { for y in (x + 1)..<group.count { pairs.append((group[x], group[y])) } }
            }
            var globPosition: [Int: Int] = [:]
            for (gi, g) in globbed.enumerated() { globPosition[g] = gi }
            for (gi, g) in globbed.enumerated() {
                for m in members where m != g && (globPosition[m].map { $0 > gi } ?? true) {
                    pairs.append((min(g, m), max(g, m)))
                }
            }
            for (a, b) in pairs.sorted(by: { $0 < $1 }) {
                let x = claims[a]
                let y = claims[b]
                guard x.policy != y.policy, x.pattern.overlaps(y.pattern) else { continue }
                let px = documents[x.policy]
                let py = documents[y.policy]
                diagnostics.error(
                    py.file, y.mark,
                    "image pattern '\(y.pattern.text)' of policy '\(py.name.value)' and '\(x.pattern.text)' of policy '\(px.name.value)' (\(px.file):\(x.mark.line):\(x.mark.column)) can match the same image with equal specificity; make one more specific or remove one"
                )
            }
        }
    }
}
