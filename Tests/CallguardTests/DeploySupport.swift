import Foundation
import PolicyKit
import TestSupport

/// Helpers for the tests of `deploy/`: where the repository and the built
/// executable are, running a tool, and walking parsed YAML.
enum Deploy {
    /// The repository root.
    static var root: URL { Repository.root }

    /// `deploy/<relative>`.
    static func path(_ relative: String) -> String { Repository.deployPath(relative) }

    /// The text of `deploy/<relative>`.
    static func text(_ relative: String) throws -> String { try Repository.deployText(relative) }

    /// The `callguard` executable built beside the test runner.
    static var executable: String { Repository.callguard }

    /// The first of `candidates` that is an executable file.
    static func tool(_ candidates: String...) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What a finished process printed and returned.
    typealias Run = ChildProcess.Output

    /// Runs `path` with `arguments` in `directory` and waits for it.
    static func run(_ path: String, _ arguments: [String], in directory: String? = nil) throws -> Run {
        try ChildProcess.run(path, arguments, in: directory)
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL { try Repository.temporaryDirectory("callguard-deploy") }

    /// The YAML documents of `deploy/<relative>`.
    static func yamlDocuments(_ relative: String) throws -> [YAMLNode] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        return try YAMLReader().documents(Array(data))
    }

    /// The Kubernetes object of `kind` named `name` (any name when nil) in `documents`.
    static func object(_ kind: String, named name: String? = nil, in documents: [YAMLNode]) -> YAMLNode? {
        documents.first { doc in
            doc["kind"]?.scalar == kind && (name == nil || doc["metadata"]?["name"]?.scalar == name)
        }
    }
}

extension YAMLNode {
    /// The value of `key` in a mapping; nil for other nodes or a missing key.
    subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = kind else { return nil }
        return pairs.first { $0.key.scalar == key }?.value
    }

    /// The items of a sequence; empty for other nodes.
    var items: [YAMLNode] {
        if case .sequence(let items) = kind { return items }
        return []
    }

    /// The keys of a mapping, in order; empty for other nodes.
    var keys: [String] {
        if case .mapping(let pairs) = kind { return pairs.compactMap { $0.key.scalar } }
        return []
    }
}
