import Foundation
import Testing
@testable import PolicyKit
import TestSupport

/// Broken files must produce diagnostics, never a crash or a hang: every
/// fixture cut at every byte, and bytes flipped, still loads to a result.
@Suite struct HostileInputTests {
    static let fixtures: [String] = {
        let dir = Fixtures.directory()
        let names = ["valid/web.yaml", "valid/default.yaml", "invalid/unknown-keys.yaml", "seccomp/docker-default-shape.json"]
        return names.compactMap { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }()

    @Test func everyTruncationLoadsToDiagnosticsOrASet() {
        #expect(Self.fixtures.count == 4)
        for text in Self.fixtures {
            let bytes = Array(text.utf8)
            for cut in stride(from: 0, to: bytes.count, by: 1) {
                let result = PolicyLoader().load(sources: [PolicySource(path: "cut.yaml", bytes: Array(bytes[..<cut]))])
                #expect(result.set != nil || !result.errors.isEmpty)
            }
        }
    }

    @Test func flippedBytesLoadToDiagnosticsOrASet() {
        var rng = SystemRandomNumberGenerator()
        for text in Self.fixtures {
            for _ in 0..<300 {
                var bytes = Array(text.utf8)
                for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                let result = PolicyLoader().load(sources: [PolicySource(path: "flip.yaml", bytes: bytes)])
                #expect(result.set != nil || !result.errors.isEmpty)
            }
        }
    }

    @Test func hostileImageNamesResolveWithoutTrouble() throws {
        let set = try PolicyLoader().load(directory: Fixtures.directory().appendingPathComponent("valid").path).get()
        let names = [
            "", ":", "@", "/", "//", "a@b@c", String(repeating: "a/", count: 400), String(repeating: "*", count: 600),
            "nginx:\u{0}", "nginx\nINJECT", "🦄/x:y", "sha256:" + String(repeating: "f", count: 64),
        ]
        for name in names {
            #expect(set.policy(forImage: name)?.name == "default")
        }
    }
}

@Suite struct SpecialFileTests {
    @Test func deviceFileNamedLikeAPolicyIsAnErrorNotAnEndlessRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("zero.yaml").path, withDestinationPath: "/dev/zero")
        let result = try PolicyLoader().load(directory: dir.path)
        #expect(result.errors.count == 1)
        // /dev is outside the policies directory: refused before it is opened.
        #expect(result.errors.first?.message.contains("outside the policies directory") == true)
    }

    @Test func fifoInTheDirectoryIsAnErrorNotAHang() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(mkfifo(dir.appendingPathComponent("pipe.yaml").path, 0o600) == 0)
        let result = try PolicyLoader().load(directory: dir.path)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.contains("is not a regular file") == true)
    }

    @Test func symlinkToARegularPolicyFileLoads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("..data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: d}\nspec: {images: [\"*\"], allow: [read]}\n"
        try Data(text.utf8).write(to: dir.appendingPathComponent("..data/d.yaml"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("d.yaml").path, withDestinationPath: "..data/d.yaml")
        let set = try PolicyLoader().load(directory: dir.path).get()
        #expect(set.defaultPolicy?.name == "d")
    }

    @Test func oversizedFileIsRejectedBeforeReading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-big-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(repeating: UInt8(ascii: "#"), count: 2048).write(to: dir.appendingPathComponent("big.yaml"))
        let result = try PolicyLoader(limits: YAMLLimits(maxFileBytes: 1024)).load(directory: dir.path)
        #expect(result.errors.first?.message.contains("more than the limit of 1024") == true)
    }
}
