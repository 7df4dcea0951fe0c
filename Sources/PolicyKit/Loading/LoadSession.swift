import Foundation

/// The state of one load: documents, their resolution and the diagnostics.
struct LoadSession {
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
}
