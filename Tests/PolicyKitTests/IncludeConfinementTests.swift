import AuditKit
import Foundation
import Testing
@testable import PolicyKit

/// `include:` reads only inside the policies directory and the profile
/// directories, and never quotes a file that is not a policy or a profile.
@Suite struct IncludeConfinementTests {
    /// A temporary tree: `policies/` (loaded), `outside/` (a secret beside it).
    struct Tree {
        let root: URL
        var policies: URL { root.appendingPathComponent("policies") }
        var outside: URL { root.appendingPathComponent("outside") }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-inc-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("policies"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("outside"), withIntermediateDirectories: true)
        }

        func write(_ relative: String, _ text: String) throws {
            try Data(text.utf8).write(to: root.appendingPathComponent(relative))
        }

        func link(_ relative: String, to destination: String) throws {
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent(relative).path, withDestinationPath: destination)
        }

        func policy(including include: String) -> String {
            """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: app}
            spec:
              images: ["localhost/app:*"]
              include: ["\(include)"]
            """
        }

        func load(_ loader: PolicyLoader = PolicyLoader()) throws -> PolicyLoadResult {
            try loader.load(directory: policies.path)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// Shapes a secret file can take; each line carries the word SECRET.
    static let secrets = [
        "root:$6$SECRETsalt$SECREThash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
        "SECRET-password: hunter2\napiVersion: SECRET-token\n",
        "syscalls: SECRET\ndefaultAction: SECRET_ACTION\n",
        "apiVersion: SECRET\nkind: SECRET\n",
        "key: *SECRETalias\n",
        "SECRET: [unclosed\n",
        "- SECRET\n- another SECRET\n",
    ]

    func expectNoSecret(_ result: PolicyLoadResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.set == nil, sourceLocation: sourceLocation)
        for d in result.diagnostics {
            #expect(!d.description.contains("SECRET"), "\(d)", sourceLocation: sourceLocation)
        }
    }

    @Test func includeEscapingWithDotDotIsRefusedAtTheInclude() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/shadow", Self.secrets[1])
        try tree.write("policies/app.yaml", tree.policy(including: "../outside/shadow"))
        let result = try tree.load()
        expectNoSecret(result)
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.file.hasSuffix("policies/app.yaml"))
        #expect(error.mark == SourceMark(line: 6, column: 13))
        #expect(error.message.contains("outside the policies directory"))
        #expect(error.message.contains("--profile-dir \(tree.outside.resolvingSymlinksInPath().path)"))
    }

    @Test func includeOfAnAbsolutePathOutsideIsRefused() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/shadow", Self.secrets[0])
        try tree.write("policies/app.yaml", tree.policy(including: tree.outside.appendingPathComponent("shadow").path))
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.first?.message.contains("outside the policies directory") == true)
    }

    @Test func includeOfEtcShadowIsRefusedWithoutReadingIt() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("policies/app.yaml", tree.policy(including: "/etc/shadow"))
        let result = try tree.load()
        #expect(result.set == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.contains("resolves to '/etc/shadow', outside the policies directory") == true)
    }

    @Test func missingFileOutsideIsRefusedLikeAnExistingOne() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/exists", Self.secrets[1])
        try tree.write("policies/a.yaml", tree.policy(including: "../outside/exists"))
        try tree.write("policies/b.yaml", tree.policy(including: "../outside/missing").replacingOccurrences(of: "name: app", with: "name: b").replacingOccurrences(of: "app:*", with: "b:*"))
        let result = try tree.load()
        // Whether a file outside exists is not told: both are refused the same way.
        #expect(result.errors.count == 2)
        #expect(result.errors.allSatisfy { $0.message.contains("outside the policies directory") }, "\(result.errors)")
    }

    @Test func symlinkInsideTheDirectoryPointingOutsideIsRefused() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/secret.json", Self.secrets[1])
        try tree.link("policies/profile.json", to: "../outside/secret.json")
        try tree.write("policies/app.yaml", tree.policy(including: "profile.json"))
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.first?.message.contains("outside the policies directory") == true)
    }

    @Test func symlinkedDirectoryInsidePointingOutsideIsRefused() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/secret.json", Self.secrets[1])
        try tree.link("policies/profiles", to: "../outside")
        try tree.write("policies/app.yaml", tree.policy(including: "profiles/secret.json"))
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.first?.message.contains("outside the policies directory") == true)
    }

    @Test func policyFileSymlinkedFromOutsideIsRefused() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/secret.yaml", Self.secrets[1])
        try tree.link("policies/secret.yaml", to: tree.outside.appendingPathComponent("secret.yaml").path)
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.first?.message.contains("outside the policies directory") == true)
    }

    @Test(arguments: secrets.indices)
    func includedFileInsideThatIsNoPolicyIsRefusedWithoutQuotingIt(shape: Int) throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("policies/notes.json", Self.secrets[shape])
        try tree.write("policies/app.yaml", tree.policy(including: "notes.json"))
        let result = try tree.load()
        expectNoSecret(result)
        #expect(!result.errors.isEmpty)
    }

    @Test func includedFileThatIsNoPolicyIsRefusedAtTheInclude() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("policies/notes.json", Self.secrets[1])
        try tree.write("policies/app.yaml", tree.policy(including: "notes.json"))
        let result = try tree.load()
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.mark == SourceMark(line: 6, column: 13))
        #expect(result.errors.first?.message.contains("is neither a callguard policy") == true)
        #expect(result.errors.first?.message.contains("its content is not shown") == true)
    }

    static let profile = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}"#

    @Test func profileDirectoryAllowsAnAbsoluteInclude() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/seccomp.json", Self.profile)
        try tree.write("policies/app.yaml", tree.policy(including: tree.outside.appendingPathComponent("seccomp.json").path))
        let set = try tree.load(PolicyLoader(profileDirectories: [tree.outside.path])).get()
        #expect(set.policy(named: "app")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    @Test func profileDirectoryAllowsARelativeNameFoundThere() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/seccomp.json", Self.profile)
        try tree.write("policies/app.yaml", tree.policy(including: "seccomp.json"))
        #expect(try tree.load().set == nil)
        let set = try tree.load(PolicyLoader(profileDirectories: [tree.outside.path])).get()
        #expect(set.policy(named: "app")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    @Test func profileDirectoryStillRefusesFilesThatAreNoProfile() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/secret.json", Self.secrets[1])
        try tree.write("policies/app.yaml", tree.policy(including: "secret.json"))
        let result = try tree.load(PolicyLoader(profileDirectories: [tree.outside.path]))
        expectNoSecret(result)
        #expect(result.errors.first?.message.contains("is neither a callguard policy") == true)
    }

    @Test func symlinksThatStayInsideTheDirectoryLoad() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try FileManager.default.createDirectory(
            at: tree.policies.appendingPathComponent("..data"), withIntermediateDirectories: true)
        try tree.write("policies/..data/seccomp.json", Self.profile)
        try tree.link("policies/seccomp.json", to: "..data/seccomp.json")
        try tree.write("policies/..data/app.yaml", tree.policy(including: "seccomp.json"))
        try tree.link("policies/app.yaml", to: "..data/app.yaml")
        let set = try tree.load().get()
        #expect(set.policy(named: "app")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    @Test func includeByNameStillWorks() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("policies/runc-init.yaml", """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: runc-init}
            spec: {allow: [ptrace]}
            """)
        try tree.write("policies/app.yaml", tree.policy(including: "runc-init"))
        let set = try tree.load().get()
        #expect(set.policy(named: "app")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    @Test func reloadKeepsTheProfileDirectories() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/seccomp.json", Self.profile)
        try tree.write("policies/app.yaml", tree.policy(including: "seccomp.json"))
        let loader = PolicyLoader(profileDirectories: [tree.outside.path])
        let store = PolicyStore(try tree.load(loader).get())
        let reloaded = try store.reload(directory: tree.policies.path)
        #expect(reloaded.policy(named: "app")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    /// A hard link is inside the directory by path, yet it is another file of
    /// the host (protected_hardlinks does not stop root, nor an owner): a policy
    /// file with more than one link is refused without a word of its content.
    @Test(arguments: [0, 1])
    func hardLinkedPolicyFileIsRefusedUnquoted(secret: Int) throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/shadow", Self.secrets[secret])
        guard link(tree.outside.appendingPathComponent("shadow").path, tree.policies.appendingPathComponent("a.yaml").path) == 0 else {
            Issue.record("cannot make a hard link: errno \(errno)")
            return
        }
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.contains { $0.message.contains("hard link") })
    }

    /// The same through `include:`, by path.
    @Test func hardLinkedIncludeIsRefusedUnquoted() throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("outside/shadow", Self.secrets[0])
        guard link(tree.outside.appendingPathComponent("shadow").path, tree.policies.appendingPathComponent("shadow.txt").path) == 0 else {
            Issue.record("cannot make a hard link: errno \(errno)")
            return
        }
        try tree.write("policies/app.yaml", tree.policy(including: "./shadow.txt"))
        let result = try tree.load()
        expectNoSecret(result)
        #expect(result.errors.contains { $0.message.contains("hard link") })
    }
}
