import Foundation
import PolicyKit
import Testing
import TestSupport

/// `callguard check`, `rules` and `seccomp`, run as the built executable:
/// argv in, stdout/stderr and exit code out.
@Suite struct PolicyCommandsTests {
    func fixture(_ name: String) -> String {
        Fixtures.directory().appendingPathComponent("policy/\(name)").path
    }

    @Test func checkOfValidPoliciesExitsZero() throws {
        let r = try callguard(["check", "--policies", fixture("valid")])
        #expect(r.status == 0)
        #expect(r.stdout == "ok: 2 policies, 2 active, default policy 'default'\n")
    }

    @Test func checkPrintsEveryErrorAndExitsOne() throws {
        let dir = fixture("invalid")
        let r = try callguard(["check", "--policies", dir])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map { $0.replacingOccurrences(of: dir + "/", with: "") }
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("syntax.yaml:3:1: YAML syntax error"))
        #expect(lines[1] == "two-errors.yaml:6:17: unknown syscall 'wirte' (did you mean 'write'?); names are libaudit's (see ausyscall --dump)")
        #expect(lines[2].hasPrefix("two-errors.yaml:7:3: unknown key 'severty' in spec (did you mean 'severity'?)"))
        #expect(lines[3] == "3 errors in 2 files")
    }

    @Test func checkOfAMissingDirectoryExitsTwo() throws {
        let r = try callguard(["check", "--policies", "/nonexistent/callguard-policies"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read the policies directory"))
    }

    @Test func rulesPrintsAuditctlRulesWithCounts() throws {
        let r = try callguard(["rules", "--policies", fixture("valid"), "--agent-pid", "4242"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("# x86_64: ") == true)
        #expect(lines.first?.hasSuffix("audited, 4 skipped (allowed by every active policy)") == true)
        #expect(lines.contains { $0.hasPrefix("-a always,exit -F arch=b64 -S ") && $0.hasSuffix(" -F pid!=4242 -F key=callguard") })
        #expect(lines.contains { $0.hasPrefix("-a always,exit -F arch=b32 -S ") })
        #expect(!lines.contains { $0.contains("-S read,") || $0.contains(",read,") })
    }

    @Test func rulesWithBrokenPoliciesExitsTwo() throws {
        let r = try callguard(["rules", "--policies", fixture("invalid")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("did not load"))
    }

    @Test func seccompWithBaseNoneWritesTheBareAllowlist() throws {
        let r = try callguard(["seccomp", "app", "--policies", fixture("valid"), "--base", "none"])
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        let entries = try #require(json["syscalls"] as? [[String: Any]])
        #expect((entries.first?["names"] as? [String])?.contains("openat") == true)
    }

    @Test func seccompNarrowsTheBaseProfileAndNamesItsDigest() throws {
        let base = fixture("base-seccomp.json")
        let r = try callguard(["seccomp", "app", "--policies", fixture("valid"), "--base", base, "--action", "errno"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let entries = try #require(json["syscalls"] as? [[String: Any]])
        let allowed = entries.filter { $0["action"] as? String == "SCMP_ACT_ALLOW" }.flatMap { $0["names"] as? [String] ?? [] }
        let narrowed = entries.filter { $0["action"] as? String == "SCMP_ACT_ERRNO" && $0["errnoRet"] as? Int == 1 }
            .flatMap { $0["names"] as? [String] ?? [] }
        #expect(allowed.contains("openat"))
        #expect(narrowed.contains("ptrace"))
        #expect(r.stderr.contains("base \(base)"))
        #expect(r.stderr.contains(ProfileDigest.of(r.stdout)))
    }

    @Test func seccompWithAMissingBaseExitsTwo() throws {
        let r = try callguard(["seccomp", "app", "--policies", fixture("valid"), "--base", "/nonexistent/seccomp.json"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nonexistent/seccomp.json"))
    }

    @Test func seccompAcceptsAPolicyFilePath() throws {
        let r = try callguard(["seccomp", fixture("valid/app.yaml")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"_llseek\""))
    }

    @Test func seccompOfAnUnknownPolicyExitsTwo() throws {
        let r = try callguard(["seccomp", "nope", "--policies", fixture("valid")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no policy 'nope'"))
    }

    /// A temporary `policies/` directory with `outside/` beside it, removed by the caller.
    func temporaryTree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-check-\(UUID().uuidString)")
        for sub in ["policies", "outside"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        return root
    }

    func policy(_ name: String, images: String, include: String = "[]") -> String {
        """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: \(name)}
        spec: {images: \(images), allow: [read], include: \(include)}

        """
    }

    @Test func checkOfIncludesOfSecretFilesPrintsNoSecret() throws {
        let root = try temporaryTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let secret = "root:$6$SECRETsalt$SECREThash:19000:0:99999:7:::\npassword: SECRET-hunter2\n"
        let mapping = "SECRET-password: hunter2\napiVersion: SECRET-token\n"
        try Data(secret.utf8).write(to: root.appendingPathComponent("outside/shadow"))
        try Data(mapping.utf8).write(to: root.appendingPathComponent("outside/creds.json"))
        try Data(mapping.utf8).write(to: root.appendingPathComponent("policies/inside.json"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("policies/link.json").path,
            withDestinationPath: root.appendingPathComponent("outside/creds.json").path)
        let outside = root.appendingPathComponent("outside/shadow").path
        try Data(policy("a", images: "[\"localhost/a:*\"]", include: "[\"\(outside)\", /etc/shadow, ../outside/creds.json]").utf8)
            .write(to: root.appendingPathComponent("policies/a.yaml"))
        try Data(policy("b", images: "[\"localhost/b:*\"]", include: "[inside.json, link.json]").utf8)
            .write(to: root.appendingPathComponent("policies/b.yaml"))
        let r = try callguard(["check", "--policies", root.appendingPathComponent("policies").path])
        #expect(r.status == 1)
        #expect(!r.stdout.contains("SECRET") && !r.stderr.contains("SECRET"), "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("root:") && !r.stdout.contains("hunter2"))
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // Three escapes of a.yaml, the symlink of b.yaml: refused, with how to allow a directory.
        #expect(lines.filter { $0.contains("outside the policies directory") && $0.contains("--profile-dir") }.count == 4, "\(lines)")
        #expect(lines.contains { $0.contains("b.yaml:4:60: included file") && $0.contains("is neither a callguard policy") }, "\(lines)")
        #expect(lines.last == "5 errors in 2 files")
    }

    @Test func checkWithProfileDirReadsAProfileFromIt() throws {
        let root = try temporaryTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let profile = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}"#
        try Data(profile.utf8).write(to: root.appendingPathComponent("outside/seccomp.json"))
        try Data(policy("a", images: "[\"*\"]", include: "[seccomp.json]").utf8)
            .write(to: root.appendingPathComponent("policies/a.yaml"))
        let policies = root.appendingPathComponent("policies").path
        let refused = try callguard(["check", "--policies", policies])
        #expect(refused.status == 1)
        let r = try callguard(["check", "--policies", policies, "--profile-dir", root.appendingPathComponent("outside").path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test func checkWithAMissingProfileDirExitsTwo() throws {
        let r = try callguard(["check", "--policies", fixture("valid"), "--profile-dir", "/nonexistent/callguard-profiles"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--profile-dir /nonexistent/callguard-profiles is not a directory"))
    }

    @Test func checkReportsEquallySpecificOverlappingPatterns() throws {
        let root = try temporaryTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(policy("a", images: "[\"nginx:1.*\"]").utf8).write(to: root.appendingPathComponent("policies/a.yaml"))
        try Data(policy("b", images: "[\"nginx:*.2\"]").utf8).write(to: root.appendingPathComponent("policies/b.yaml"))
        let r = try callguard(["check", "--policies", root.appendingPathComponent("policies").path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("b.yaml:4:17: image pattern 'nginx:*.2' of policy 'b' and 'nginx:1.*' of policy 'a'"), "\(r.stdout)")
        #expect(r.stdout.contains("can match the same image with equal specificity"))
    }

    @Test func checkAcceptsAnExactRepositoryBesideALongerGlob() throws {
        let root = try temporaryTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(policy("slim", images: "[\"*/*:*.*-alpine-slim\"]").utf8).write(to: root.appendingPathComponent("policies/slim.yaml"))
        try Data(policy("nginx", images: "[\"docker.io/library/nginx:*\"]").utf8).write(to: root.appendingPathComponent("policies/nginx.yaml"))
        let r = try callguard(["check", "--policies", root.appendingPathComponent("policies").path])
        #expect(r.status == 0, "\(r.stdout)")
    }
}
