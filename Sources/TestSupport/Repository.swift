import Foundation

/// The checked-out repository and the executables built from it, for tests of
/// what ships beside the code (`deploy/`, `policies/`) and of `callguard` itself.
public enum Repository {
    /// The repository root (this file is `Sources/TestSupport/Repository.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `deploy/<relative>`.
    public static func deployPath(_ relative: String) -> String {
        root.appendingPathComponent("deploy").appendingPathComponent(relative).path
    }

    /// The text of `deploy/<relative>`.
    public static func deployText(_ relative: String) throws -> String {
        try String(contentsOfFile: deployPath(relative), encoding: .utf8)
    }

    /// The shipped policies, `policies/`.
    public static var policies: String { root.appendingPathComponent("policies").path }

    /// The `callguard` executable built beside the test runner.
    public static let callguard = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("callguard").path

    /// A fresh directory under the temporary directory, named `prefix-<uuid>`; the caller removes it.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
