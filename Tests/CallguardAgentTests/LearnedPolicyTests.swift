import AuditKit
import CallguardAgent
import Foundation
import PolicyKit
import Testing
import TestSupport

/// The policy `callguard learn` writes and merges: output, merging, reading back.
@Suite struct LearnedPolicyTests {
    static let sample = LearnedPolicy(
        name: "app-1.0", images: ["localhost/app:1.0"],
        counts: ["write": 3, "mkdir": 1, "getdents64": 12, "execve": 2], lastRun: "test run")

    func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-learn-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func writtenPolicyLoadsAndAllowsExactlyTheObservedSyscalls() throws {
        let set = try PolicyLoader().load(sources: [PolicySource(path: "app.yaml", text: Self.sample.yaml)]).get()
        let policy = try #require(set.policy(forImage: "localhost/app:1.0"))
        #expect(policy.name == "app-1.0")
        #expect(Set(policy.syscalls.names(on: .x86_64)) == ["write", "mkdir", "getdents64", "execve"])
        #expect(set.policy(forImage: "localhost/other:1.0") == nil)
    }

    @Test func allowListIsSortedWithACountCommentOnEachName() {
        let items = Self.sample.yaml.split(separator: "\n").filter { $0.hasPrefix("    - ") }
        #expect(
            items == [
                "    - \"execve\"  # 2 calls", "    - \"getdents64\"  # 12 calls", "    - \"mkdir\"  # 1 call",
                "    - \"write\"  # 3 calls",
            ])
    }

    @Test func headerCommentsSayHowThePolicyWasMade() {
        let header = Self.sample.yaml.split(separator: "\n").prefix { $0.hasPrefix("#") }
        #expect(header.count == 3)
        #expect(header[0].contains("callguard learn` over 1 run(s)"))
        #expect(header[2] == "# Last run: test run")
    }

    @Test func writtenPolicyReadsBackWithItsCounts() throws {
        let path = temporaryPath("app.yaml")
        try LearnOutput.write(Self.sample, to: path)
        let back = try LearnedPolicy.read(path: path)
        #expect(back.counts == Self.sample.counts)
        #expect(back.name == "app-1.0")
        #expect(back.images == ["localhost/app:1.0"])
        #expect(back.runs == 1)
    }

    @Test func writingTwiceUnionsTheSyscallsAndAddsTheCounts() throws {
        let path = temporaryPath("app.yaml")
        try LearnOutput.write(Self.sample, to: path)
        let second = LearnedPolicy(
            name: "app-1.0", images: ["localhost/app:1.0"], counts: ["write": 4, "openat": 5], lastRun: "second")
        let merged = try LearnOutput.write(second, to: path)
        let expected: [String: UInt64] = ["write": 7, "mkdir": 1, "getdents64": 12, "execve": 2, "openat": 5]
        #expect(merged.counts == expected)
        #expect(merged.runs == 2)
        let back = try LearnedPolicy.read(path: path)
        #expect(back.counts == expected)
        #expect(back.runs == 2)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# Last run: second"))
        #expect(text.contains("    - \"write\"  # 7 calls\n"))
    }

    @Test func mergingKeepsTheExistingFilesNameSeverityAndHandAddedNames() throws {
        let path = temporaryPath("app.yaml")
        try FileManager.default.copyItem(
            atPath: Fixtures.directory().appendingPathComponent("learn/hand-edited.yaml").path, toPath: path)
        let merged = try LearnOutput.write(
            LearnedPolicy(name: "app-1.0", images: ["localhost/app:1.0"], counts: ["read": 1, "close": 2]), to: path)
        #expect(merged.name == "app-custom")
        #expect(merged.severity == .high)
        #expect(merged.counts == ["read": 11, "write": 0, "close": 2])
        let set = try PolicyLoader().load(paths: [path]).get()
        #expect(set.policy(named: "app-custom")?.severity == .high)
    }

    @Test func anExistingFileThatDoesNotLoadIsLeftAloneAndReported() throws {
        let path = temporaryPath("app.yaml")
        let broken = "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: x}\nspec:\n  allow: [wirte]\n"
        try broken.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: LearnError.self) { try LearnOutput.write(Self.sample, to: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)
    }

    @Test func nothingObservedWritesNothing() {
        let path = temporaryPath("empty.yaml")
        let empty = LearnedPolicy(name: "x", images: ["localhost/x:1"], counts: [:])
        #expect(throws: LearnError.self) { try LearnOutput.write(empty, to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(arguments: [
        ("localhost/app:1.0", "app-1.0"), ("docker.io/library/nginx", "nginx"),
        ("quay.io/Org/My_Tool:v2@sha256:abc", "my_tool-v2"), ("!!!", "learned"),
    ])
    func policyNameComesFromTheImage(image: String, name: String) {
        #expect(LearnedPolicy.name(forImage: image) == name)
    }

    @Test func anIncludeByNameResolvesAgainstTheOtherPoliciesOfTheDirectory() throws {
        let path = temporaryPath("app.yaml")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: base}\nspec:\n  allow: [exit_group]\n"
            .write(toFile: directory + "/base.yaml", atomically: true, encoding: .utf8)
        try """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: app}
        spec:
          images: ["localhost/app:1.0"]
          include: [base]
          allow: [read]  # 5 calls
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let merged = try LearnOutput.write(
            LearnedPolicy(name: "app-1.0", images: ["localhost/app:1.0"], counts: ["write": 2]), to: path)
        #expect(merged.include == ["base"])
        #expect(merged.counts == ["read": 0, "write": 2])
        let set = try PolicyLoader().load(directory: directory).get()
        #expect(set.policy(named: "app")?.syscalls.names(on: .x86_64).contains("exit_group") == true)
    }
}
