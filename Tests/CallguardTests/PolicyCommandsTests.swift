import Foundation
import Testing
import TestSupport

/// `callguard check`, `rules` and `seccomp`, run as the built executable:
/// argv in, stdout/stderr and exit code out.
@Suite struct PolicyCommandsTests {
    func callguard(_ args: [String]) throws -> CallguardCommand.Result {
        try CallguardCommand.run(args)
    }

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
        #expect(lines.contains { $0.hasPrefix("-a always,exit -F arch=b64 -S ") && $0.hasSuffix(" -F pid!=4242 -k callguard") })
        #expect(lines.contains { $0.hasPrefix("-a always,exit -F arch=b32 -S ") })
        #expect(!lines.contains { $0.contains("-S read,") || $0.contains(",read,") })
    }

    @Test func rulesWithBrokenPoliciesExitsTwo() throws {
        let r = try callguard(["rules", "--policies", fixture("invalid")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("did not load"))
    }

    @Test func seccompWritesAnOCIProfile() throws {
        let r = try callguard(["seccomp", "app", "--policies", fixture("valid")])
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        let entries = try #require(json["syscalls"] as? [[String: Any]])
        #expect((entries.first?["names"] as? [String])?.contains("openat") == true)
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
}
