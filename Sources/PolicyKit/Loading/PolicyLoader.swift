import Foundation

/// Loads a directory of policies (every `*.yaml` / `*.yml`), resolves their
/// includes, checks them as a whole and compiles them into a ``PolicySet``.
///
/// Every problem becomes a ``Diagnostic``; the set is only built when there
/// are no errors. Checks: YAML syntax and limits, unknown keys and wrong
/// types, unknown syscall names, image patterns that cannot match, duplicate
/// policy names, more than one default policy, include cycles and missing
/// includes, and two policies claiming the same image with equal specificity.
public struct PolicyLoader: Sendable {
    public var limits: YAMLLimits
    public var seccompOptions: SeccompImportOptions

    public init(limits: YAMLLimits = .default, seccompOptions: SeccompImportOptions = .init()) {
        self.limits = limits
        self.seccompOptions = seccompOptions
    }

    /// The policy files of `directory` (`*.yaml`, `*.yml`), sorted, as paths under it.
    public static func policyFiles(in directory: String) throws(PolicyDirectoryError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PolicyDirectoryError(path: directory, reason: "\(error.localizedDescription)")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted().map { prefix + $0 }
    }

    /// Loads every policy file in `directory`.
    public func load(directory: String) throws(PolicyDirectoryError) -> PolicyLoadResult {
        let paths = try Self.policyFiles(in: directory)
        return load(paths: paths)
    }

    /// Loads the given policy files from disk.
    public func load(paths: [String]) -> PolicyLoadResult {
        var session = LoadSession(loader: self, memory: [:])
        for path in paths { session.addPolicyFile(path) }
        return session.finish()
    }

    /// Loads policies from memory (tests, generated policies). Include paths
    /// are looked up among `sources` first, then on disk.
    public func load(sources: [PolicySource]) -> PolicyLoadResult {
        var memory: [String: [UInt8]] = [:]
        for s in sources { memory[PathNormalizer.normalize(s.path)] = s.bytes }
        var session = LoadSession(loader: self, memory: memory)
        for s in sources { session.addPolicyFile(s.path) }
        return session.finish()
    }
}

/// The state of one load: documents, their resolution and the diagnostics.
private struct LoadSession {
    let loader: PolicyLoader
    let memory: [String: [UInt8]]
    let table = SyscallTable.shared
    var diagnostics = DiagnosticCollector()
    var documents: [PolicyDocument] = []
    /// Indices of documents that come from the policies directory (not includes by path).
    var policyIndices: [Int] = []
    var byName: [String: Int] = [:]
    /// normalised path → indices of its documents (nil: the file failed to load).
    var byPath: [String: [Int]?] = [:]
    var resolved: [Int: SyscallSet] = [:]
    var resolving: [Int] = []

    init(loader: PolicyLoader, memory: [String: [UInt8]]) {
        self.loader = loader
        self.memory = memory
    }

    mutating func addPolicyFile(_ path: String) {
        guard let indices = loadFile(path, displayPath: path, from: nil) else { return }
        for i in indices {
            policyIndices.append(i)
            let name = documents[i].name
            if let first = byName[name.value] {
                let f = documents[first]
                diagnostics.error(
                    documents[i].file, name.mark,
                    "duplicate policy name '\(name.value)' (also at \(f.file):\(f.name.mark.line):\(f.name.mark.column)); rename one"
                )
            } else {
                byName[name.value] = i
            }
        }
    }

    /// Reads and decodes a file once; nil when it could not be read or parsed.
    mutating func loadFile(_ path: String, displayPath: String, from include: (String, SourceMark)?) -> [Int]? {
        let key = PathNormalizer.normalize(path)
        if let known = byPath[key] { return known }
        byPath[key] = .some(nil)
        let reportFile = include?.0 ?? displayPath
        let reportMark = include?.1 ?? .start
        let bytes: [UInt8]
        if let b = memory[key] {
            bytes = b
        } else {
            // Follow symlinks (ConfigMap-style directories link every file).
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let attributes = try? FileManager.default.attributesOfItem(atPath: target)
            if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
                diagnostics.error(
                    reportFile, reportMark, "'\(path)' is not a regular file; policies and profiles must be files")
                return nil
            }
            if let size = attributes?[.size] as? Int, size > loader.limits.maxFileBytes {
                diagnostics.error(
                    displayPath, .start,
                    "file is \(size) bytes, more than the limit of \(loader.limits.maxFileBytes); split it")
                return nil
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                let what = include == nil ? "cannot read the file" : "cannot read included file '\(path)'"
                diagnostics.error(reportFile, reportMark, "\(what); check that it exists and is readable")
                return nil
            }
            bytes = Array(data)
        }
        let nodes: [YAMLNode]
        do {
            nodes = try YAMLReader(limits: loader.limits).documents(bytes)
        } catch {
            diagnostics.error(displayPath, error.mark, error.message)
            return nil
        }
        let decoder = PolicyDecoder(seccompOptions: loader.seccompOptions)
        var indices: [Int] = []
        for node in nodes {
            if node.isNull { continue }
            guard
                let doc = decoder.decode(
                    node, file: displayPath, fallbackName: PathNormalizer.stem(displayPath),
                    diagnostics: &diagnostics)
            else { continue }
            indices.append(documents.count)
            documents.append(doc)
        }
        if nodes.allSatisfy(\.isNull) {
            diagnostics.warning(displayPath, .start, "the file holds no policy; remove it or write one")
        }
        byPath[key] = indices
        return indices
    }

    /// The allowlist of document `i` with its includes merged (memoised).
    mutating func resolve(_ i: Int) -> SyscallSet {
        if let s = resolved[i] { return s }
        resolving.append(i)
        defer { resolving.removeLast() }
        let doc = documents[i]
        var set = SyscallSet()
        switch doc.body {
        case .seccomp(let s):
            set = s
        case .policy(let allow, let include):
            for name in allow where !set.insert(name: name.value, table: table) {
                diagnostics.error(
                    doc.file, name.mark,
                    "unknown syscall '\(name.value)'\(Suggestion.hint(for: name.value, in: table.allNames)); names are libaudit's (see ausyscall --dump)"
                )
            }
            for inc in include {
                for t in includeTargets(inc, of: doc) {
                    if let at = resolving.firstIndex(of: t) {
                        let chain = (resolving[at...].map { documents[$0].name.value } + [documents[t].name.value])
                        diagnostics.error(
                            doc.file, inc.mark,
                            "include cycle: \(chain.joined(separator: " -> ")); remove one of these includes")
                        continue
                    }
                    set.formUnion(resolve(t))
                }
            }
        }
        resolved[i] = set
        return set
    }

    mutating func includeTargets(_ inc: Located<String>, of doc: PolicyDocument) -> [Int] {
        let v = inc.value
        let isPath = v.contains("/") || v.hasSuffix(".json") || v.hasSuffix(".yaml") || v.hasSuffix(".yml")
        if isPath {
            let path = PathNormalizer.resolve(v, relativeTo: doc.file)
            return loadFile(path, displayPath: path, from: (doc.file, inc.mark)) ?? []
        }
        if let t = byName[v] { return [t] }
        diagnostics.error(
            doc.file, inc.mark,
            "include '\(v)' names no policy\(Suggestion.hint(for: v, in: byName.keys.sorted())); give a policy's metadata.name or a path to a file"
        )
        return []
    }

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
                    isDefault: isDefault, syscalls: set))
        }
        checkTies(claims)
        let sorted = diagnostics.sorted
        guard !diagnostics.hasErrors else { return PolicyLoadResult(set: nil, diagnostics: sorted) }
        return PolicyLoadResult(
            set: PolicySet(policies: compiled, warnings: sorted.filter { $0.severity == .warning }),
            diagnostics: sorted)
    }

    struct ImageClaim {
        var pattern: ImagePattern
        var policy: Int
        var mark: SourceMark
    }

    /// Two patterns of different policies with equal specificity that can
    /// match one image leave no rule for which wins: an error on the later one.
    mutating func checkTies(_ claims: [ImageClaim]) {
        var buckets: [Int: [Int]] = [:]
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
