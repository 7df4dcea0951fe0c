import Foundation
import Glibc
import Testing
@testable import PolicyKit
import TestSupport

/// The agent runs as root and trusts what its policies allow: a policy file,
/// or the directory holding it, that someone other than root (or the agent's
/// user) can change is refused, with what to run to fix it.
@Suite struct PolicyDirectoryOwnershipTests {
    static let policy = """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: app}
        spec: {images: ["localhost/app:*"], allow: [read]}
        """

    /// A fresh policies directory with one policy file; removed by the caller.
    static func makeDirectory() throws -> (dir: String, file: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-own-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(chmod(dir, 0o755) == 0)
        let file = dir + "/app.yaml"
        try Data(policy.utf8).write(to: URL(fileURLWithPath: file))
        #expect(chmod(file, 0o644) == 0)
        return (dir, file)
    }

    func messages(_ result: PolicyLoadResult) -> String {
        result.diagnostics.map(\.description).joined(separator: "\n")
    }

    @Test func aPolicyDirectoryOwnedByRootAndNotWritableByOthersLoads() throws {
        let (dir, _) = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try PolicyLoader().load(directory: dir)
        #expect(result.set != nil, "\(messages(result))")
    }

    @Test func aPolicyDirectoryWritableByOthersIsRefused() throws {
        let (dir, _) = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o1777) == 0)  // even sticky: anyone can add a policy file
        let result = try PolicyLoader().load(directory: dir)
        #expect(result.set == nil)
        #expect(messages(result).contains("chmod go-w '\(dir)'"), "\(messages(result))")
    }

    @Test func aPolicyFileWritableByOthersIsRefused() throws {
        let (dir, file) = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(file, 0o666) == 0)
        let result = try PolicyLoader().load(directory: dir)
        #expect(result.set == nil)
        #expect(messages(result).contains("can be changed by users other than root"), "\(messages(result))")
    }

    @Test func aPolicyFileOwnedByAnotherUserIsRefused() throws {
        guard RequireIntegration.check(geteuid() == 0, "root (to give a file to another user)") else { return }
        let (dir, file) = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chown(file, 65534, 65534) == 0)
        let result = try PolicyLoader().load(directory: dir)
        #expect(result.set == nil)
        #expect(messages(result).contains("chown root:root '\(file)'"), "\(messages(result))")
    }
}
