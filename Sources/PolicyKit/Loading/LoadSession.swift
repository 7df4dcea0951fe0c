import Foundation

/// The state of one load: documents, their resolution and the diagnostics.
struct LoadSession {
    let loader: PolicyLoader
    let memory: [String: [UInt8]]
    /// Reads files from disk, only inside the policies and profile directories.
    let reader: ConfinedFileReader
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

    /// `directories`: where policy files and includes may be read from (the
    /// policies directory); the loader's profile directories are added.
    init(loader: PolicyLoader, memory: [String: [UInt8]], directories: [String]) {
        self.loader = loader
        self.memory = memory
        reader = ConfinedFileReader(
            directories: directories + loader.profileDirectories, maxBytes: loader.limits.maxFileBytes)
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
            switch reader.read(path) {
            case .success(let b):
                bytes = b
            case .failure(let refusal):
                diagnostics.error(reportFile, reportMark, message(refusal, path: path, included: include != nil))
                return nil
            }
        }
        let nodes: [YAMLNode]
        do {
            nodes = try YAMLReader(limits: loader.limits).documents(bytes)
        } catch {
            // libyaml's and the reader's messages never quote the text, so naming
            // the place is safe even for a file that is no policy.
            diagnostics.error(displayPath, error.mark, error.message)
            return nil
        }
        // An included file is only read as a policy or a seccomp profile; anything
        // else is refused as a whole, without one word of what it holds.
        if include != nil, nodes.contains(where: { !$0.isNull && !Self.isPolicyOrProfile($0) }) {
            diagnostics.error(
                reportFile, reportMark,
                "included file '\(path)' is neither a callguard policy (apiVersion: \(PolicyDecoder.apiVersion), kind: \(PolicyDecoder.kind)) nor a seccomp profile (defaultAction: SCMP_ACT_...); its content is not shown; include only policies and profiles"
            )
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
            var path = PathNormalizer.resolve(v, relativeTo: doc.file)
            // A relative name not beside the policy is looked up in the profile directories.
            if !v.hasPrefix("/"), memory[path] == nil, !FileManager.default.fileExists(atPath: path),
                let found = loader.profileDirectories.lazy.map({ PathNormalizer.resolve(v, relativeTo: $0 + "/") })
                    .first(where: { FileManager.default.fileExists(atPath: $0) })
            {
                path = found
            }
            return loadFile(path, displayPath: path, from: (doc.file, inc.mark)) ?? []
        }
        if let t = byName[v] { return [t] }
        diagnostics.error(
            doc.file, inc.mark,
            "include '\(v)' names no policy\(Suggestion.hint(for: v, in: byName.keys.sorted())); give a policy's metadata.name or a path to a file"
        )
        return []
    }

    /// Whether a document is a callguard policy (by its header) or a seccomp
    /// profile (with a known default action): what an include may read.
    static func isPolicyOrProfile(_ node: YAMLNode) -> Bool {
        guard case .mapping(let pairs) = node.kind else { return false }
        func value(_ key: String) -> String? { pairs.first { $0.key.scalar == key }?.value.scalar }
        if value("apiVersion") == PolicyDecoder.apiVersion, value("kind") == PolicyDecoder.kind { return true }
        return SeccompProfileDecoder.isProfile(node)
            && value("defaultAction").map(SeccompProfileDecoder.knownActions.contains) == true
    }

    /// What to say when a file was not read; never any of its content.
    func message(_ refusal: ConfinedFileReader.Refusal, path: String, included: Bool) -> String {
        let what = included ? "included file '\(path)'" : "'\(path)'"
        switch refusal {
        case .missing:
            return included
                ? "cannot read included file '\(path)'; check that it exists and is readable"
                : "cannot read the file; check that it exists and is readable"
        case .outside(let resolved):
            let directory = PathNormalizer.directory(of: resolved)
            return
                "\(what) resolves to '\(resolved)', outside the policies directory and every profile directory, and is not read; if it is a policy or profile you mean to use, copy it into the policies directory or allow its directory with --profile-dir \(directory.isEmpty ? "/" : directory)"
        case .notRegular:
            return "\(what) is not a regular file; policies and profiles must be files"
        case .hardLinked(let links):
            return
                "\(what) has \(links) hard links, so it may be another file of the host, and is not read; copy it (cp, not ln) into the policies directory"
        case .writableByOthers(let writable):
            return
                "\(what) is not read: '\(writable)' can be changed by users other than root and callguard's (owner or group/other write bit), so anyone could plant a policy that allows everything; chown root:root '\(writable)' and chmod go-w '\(writable)'"
        case .tooLarge(let bytes):
            return "\(what) is \(bytes) bytes, more than the limit of \(loader.limits.maxFileBytes); split it"
        case .unreadable(let e):
            return "cannot read \(what) (\(String(cString: strerror(e)))); check that it exists and is readable"
        }
    }
}
