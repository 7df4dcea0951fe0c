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
