import Foundation
import Testing
@testable import PolicyKit
import TestSupport

/// Broken files must produce diagnostics, never a crash or a hang: every
/// fixture cut at every byte, and bytes flipped, loads to the outcome named
/// for it: a set only where the cut leaves a whole policy, otherwise errors
/// that point into the file.
@Suite struct HostileInputTests {
    static let names = ["valid/web.yaml", "valid/default.yaml", "invalid/unknown-keys.yaml", "seccomp/docker-default-shape.json"]

    static let fixtures: [(name: String, text: String)] = {
        let dir = Fixtures.directory()
        return names.compactMap { name in
            (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
        }
    }()

    /// The cuts (byte counts) of each fixture that load to a set; every other
    /// cut is an error. 0 is the empty file (no policy, a warning).
    static let cutsThatLoad: [String: Set<Int>] = [
        // "  allow:" and "  allow: " (null: allows nothing more), after
        // "  allow: [accept4, epoll_wait, sendfile]" and its newline and
        // indent, "  include:" and "  include: " (null).
        "valid/web.yaml": [0, 255, 256, 287, 288, 289, 290, 298, 299],
        // Inside the leading comment line; "  include:" and "  include: ".
        "valid/default.yaml": Set(0...56).union([163, 164]),
        "invalid/unknown-keys.yaml": [0],
        // The JSON object without its final newline (a profile, no policy active).
        "seccomp/docker-default-shape.json": [0, 1773],
    ]

    /// Every diagnostic names `file` and a place inside `bytes` (or the line
    /// after its end, where libyaml reports an input that ends too early).
    static func expectPointsInto(_ result: PolicyLoadResult, file: String, bytes: [UInt8], _ what: String) {
        let lines = bytes.count(where: { $0 == UInt8(ascii: "\n") }) + 2
        for d in result.diagnostics {
            #expect(d.file == file, "\(what): \(d)")
            #expect((1...lines).contains(d.mark.line) && d.mark.column >= 1, "\(what): \(d) outside its \(lines) line(s)")
            #expect(!d.message.isEmpty, "\(what): \(d)")
        }
    }

    @Test func everyTruncationLoadsToASetOnlyWhereItLeavesAWholePolicy() {
        #expect(Self.fixtures.count == Self.names.count)
        for (name, text) in Self.fixtures {
            let bytes = Array(text.utf8)
            var loaded: Set<Int> = []
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[..<cut])
                let result = PolicyLoader().load(sources: [PolicySource(path: "cut.yaml", bytes: prefix)])
                if result.set != nil { loaded.insert(cut) }
                #expect((result.set == nil) == !result.errors.isEmpty, "\(name) cut at \(cut): \(result.diagnostics)")
                Self.expectPointsInto(result, file: "cut.yaml", bytes: prefix, "\(name) cut at \(cut)")
            }
            #expect(loaded == Self.cutsThatLoad[name], "\(name): cuts that load")
        }
    }

    @Test func theEmptyCutLoadsToNoPolicyWithAWarning() throws {
        let result = PolicyLoader().load(sources: [PolicySource(path: "cut.yaml", bytes: [])])
        let set = try #require(result.set)
        #expect(set.policiesByName.isEmpty)
        #expect(result.diagnostics.map(\.description) == ["cut.yaml:1:1: warning: the file holds no policy; remove it or write one"])
    }

    /// Three bytes flipped to random values (the same ones on every run):
    /// whatever loads, every diagnostic points into the file, a set comes only
    /// without errors, and a policy's name is one the flipped file spells (or,
    /// for a seccomp profile, the file's own name).
    @Test func flippedBytesLoadToDiagnosticsInsideTheFileOrToPoliciesItNames() {
        var rng = SplitMix64(seed: 0x686F_7374_696C_65)
        var outcomes = (sets: 0, errors: 0)
        for (name, text) in Self.fixtures {
            for round in 0..<300 {
                var bytes = Array(text.utf8)
                for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                let result = PolicyLoader().load(sources: [PolicySource(path: "flip.yaml", bytes: bytes)])
                let what = "\(name) flip round \(round)"
                #expect((result.set == nil) == !result.errors.isEmpty, "\(what): \(result.diagnostics)")
                Self.expectPointsInto(result, file: "flip.yaml", bytes: bytes, what)
                if let set = result.set {
                    outcomes.sets += 1
                    let spelled = String(decoding: bytes, as: UTF8.self)
                    for policy in set.policiesByName.keys {
                        #expect(policy == "flip" || spelled.contains(policy), "\(what): '\(policy)'")
                    }
                } else {
                    outcomes.errors += 1
                }
            }
        }
        // Both outcomes occur, so neither branch above is dead.
        #expect(outcomes.sets > 0 && outcomes.errors > 0, "\(outcomes)")
    }

    /// A byte that cannot start UTF-8 anywhere in the file is one error at the
    /// file's start, whatever else the file says.
    @Test func aByteThatIsNotUTF8IsOneErrorWherever() {
        for (name, text) in Self.fixtures {
            for offset in stride(from: 0, to: text.utf8.count, by: 7) {
                var bytes = Array(text.utf8)
                bytes[offset] = 0xFF
                let result = PolicyLoader().load(sources: [PolicySource(path: "flip.yaml", bytes: bytes)])
                #expect(result.set == nil, "\(name) at \(offset)")
                #expect(
                    result.errors.map(\.description) == ["flip.yaml:1:1: YAML syntax error: invalid leading UTF-8 octet; fix the YAML at this place"],
                    "\(name) at \(offset)")
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
