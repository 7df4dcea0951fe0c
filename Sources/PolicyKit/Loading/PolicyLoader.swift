import Foundation

/// Loads a directory of policies (every `*.yaml` / `*.yml`), resolves their
/// includes, checks them as a whole and compiles them into a ``PolicySet``.
///
/// Every problem becomes a ``Diagnostic``; the set is only built when there
/// are no errors. Checks: YAML syntax and limits, unknown keys and wrong
/// types, unknown syscall names, image patterns that cannot match, duplicate
/// policy names, more than one default policy, include cycles and missing
/// includes, and two policies claiming the same image with equal specificity.
///
/// Files are read only from inside the policies directory (for ``load(paths:)``
/// and ``load(sources:)``, the directories of the given files) and the
/// ``profileDirectories``, checked on the path with every symlink resolved: an
/// `include:` of `../../etc/shadow`, of an absolute path elsewhere, or of a
/// symlink pointing out is refused. An included file must be a policy or a
/// seccomp profile; any other is refused without quoting its content.
public struct PolicyLoader: Sendable {
    public var limits: YAMLLimits
    public var seccompOptions: SeccompImportOptions
    /// Directories besides the policies directory that policies may include
    /// files from, by absolute path or by a name relative to the directory
    /// (`/usr/share/containers` for podman's `seccomp.json`).
    public var profileDirectories: [String]

    public init(
        limits: YAMLLimits = .default, seccompOptions: SeccompImportOptions = .init(),
        profileDirectories: [String] = []
    ) {
        self.limits = limits
        self.seccompOptions = seccompOptions
        self.profileDirectories = profileDirectories
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
        return load(paths: paths, directories: [directory])
    }

    /// Loads the given policy files from disk; files are read from their own
    /// directories and the profile directories.
    public func load(paths: [String]) -> PolicyLoadResult {
        load(paths: paths, directories: paths.map(Self.directory(of:)))
    }

    private func load(paths: [String], directories: [String]) -> PolicyLoadResult {
        var session = LoadSession(loader: self, memory: [:], directories: directories)
        for path in paths { session.addPolicyFile(path) }
        return remembered(session.finish())
    }

    /// The directory holding `path` (`.` for a bare name).
    static func directory(of path: String) -> String {
        let d = PathNormalizer.directory(of: path)
        return d.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : d
    }

    /// Loads policies from memory (tests, generated policies). Include paths
    /// are looked up among `sources` first, then on disk inside the sources'
    /// directories and the profile directories.
    public func load(sources: [PolicySource]) -> PolicyLoadResult {
        var memory: [String: [UInt8]] = [:]
        for s in sources { memory[PathNormalizer.normalize(s.path)] = s.bytes }
        var session = LoadSession(loader: self, memory: memory, directories: sources.map { Self.directory(of: $0.path) })
        for s in sources { session.addPolicyFile(s.path) }
        return remembered(session.finish())
    }

    /// The result with its set remembering this loader, so that a reload
    /// (``PolicyStore``) reads with the same limits and profile directories.
    private func remembered(_ result: PolicyLoadResult) -> PolicyLoadResult {
        var r = result
        r.set = r.set.map { PolicySet(copying: $0, loader: self) }
        return r
    }
}
