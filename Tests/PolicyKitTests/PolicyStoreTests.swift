import Foundation
import Testing
@testable import PolicyKit

@Suite struct PolicyStoreTests {
    func writePolicy(_ dir: URL, _ name: String, allow: String) throws {
        let text = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: \(name)}
            spec: {images: ["*"], allow: \(allow)}
            """
        try Data(text.utf8).write(to: dir.appendingPathComponent("\(name).yaml"))
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func reloadSwapsInAGoodSet() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writePolicy(dir, "default", allow: "[read]")
        let store = PolicyStore()
        try store.reload(directory: dir.path)
        #expect(store.current.defaultPolicy?.name == "default")
        #expect(store.generation == 1)
    }

    @Test func failedReloadKeepsTheLastGoodSet() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writePolicy(dir, "default", allow: "[read]")
        let store = PolicyStore()
        let good = try store.reload(directory: dir.path)
        try writePolicy(dir, "default", allow: "[raed]")
        #expect(throws: PolicyLoadFailure.self) { try store.reload(directory: dir.path) }
        #expect(store.current === good)
        #expect(store.generation == 1)
    }

    @Test func failureCarriesEveryDiagnostic() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writePolicy(dir, "default", allow: "[raed, wirte]")
        do {
            try PolicyStore().reload(directory: dir.path)
            Issue.record("reload should fail")
        } catch {
            #expect(error.diagnostics.count == 2)
        }
    }

    struct InstallFailed: Error {}

    @Test func failureBeforeTheSwapKeepsTheLastGoodSet() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writePolicy(dir, "default", allow: "[read]")
        let store = PolicyStore()
        let good = try store.reload(directory: dir.path)
        try writePolicy(dir, "default", allow: "[read, write]")
        #expect(throws: InstallFailed.self) {
            try store.reload(directory: dir.path) { _ in throw InstallFailed() }
        }
        #expect(store.current === good)
        var seen: PolicySet?
        let next = try store.reload(directory: dir.path) { seen = $0 }
        #expect(seen === next && store.current === next)
        #expect(store.generation == 2)
    }
}
