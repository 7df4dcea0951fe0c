/// A policy file's path (as diagnostics should name it) and content.
public struct PolicySource: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// The outcome of loading a policy set: the set when nothing was wrong, and
/// every diagnostic (errors and warnings) in file and position order.
public struct PolicyLoadResult: Sendable {
    public var set: PolicySet?
    public var diagnostics: [Diagnostic]

    /// The diagnostics that stop the set from loading.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// The set, or a ``PolicyLoadFailure`` carrying every error.
    public func get() throws(PolicyLoadFailure) -> PolicySet {
        guard let set else { throw PolicyLoadFailure(diagnostics: errors) }
        return set
    }
}

/// A policy set did not load; `diagnostics` says every place that must be fixed.
public struct PolicyLoadFailure: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public var description: String {
        "policies did not load (\(diagnostics.count) error(s)):\n"
            + diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// The policies directory could not be listed.
public struct PolicyDirectoryError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String {
        "cannot read the policies directory '\(path)': \(reason); pass an existing directory with --policies"
    }
}
