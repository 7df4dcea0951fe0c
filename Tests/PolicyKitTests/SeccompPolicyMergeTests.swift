import Foundation
import PolicyKit
import Testing
import TestSupport

/// The merged profile: the base narrowed to the policy, never widened.
struct SeccompPolicyMergeTests {
    static let baseText = String(
        decoding: try! Data(contentsOf: Fixtures.directory().appendingPathComponent("merge/base.json")), as: UTF8.self)

    func policy(allow: [String], action: String = "log") throws -> CompiledPolicy {
        let yaml = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: app}
            spec: {images: ["localhost/app:*"], allow: [\(allow.joined(separator: ", "))], action: \(action)}
            """
        return try #require(try PolicyLoader().load(sources: [PolicySource(path: "app.yaml", text: yaml)]).get().policy(named: "app"))
    }

    func merged(allow: [String], action: ProfileAction? = nil) throws -> (JSONObject, MergedProfileBuilder.Profile) {
        let builder = try MergedProfileBuilder(baseText: Self.baseText, source: "base.json")
        let profile = builder.build(try policy(allow: allow), action: action)
        return (try #require(try JSONParser.parse(profile.text).objectValue), profile)
    }

    func entries(_ o: JSONObject) -> [JSONObject] { (o["syscalls"]?.arrayValue ?? []).compactMap(\.objectValue) }

    func names(_ o: JSONObject, action: String) -> Set<String> {
        Set(entries(o).filter { $0["action"]?.stringValue == action }.flatMap { $0["names"]?.stringArray ?? [] })
    }

    @Test func callsThePolicyAllowsStayAllowed() throws {
        let (o, _) = try merged(allow: ["read", "write"])
        #expect(names(o, action: "SCMP_ACT_ALLOW").isSuperset(of: ["read", "write", "openat"]))  // openat: runc's own
    }

    @Test func callsTheBaseAllowsAndThePolicyDoesNotAreLogged() throws {
        let (o, _) = try merged(allow: ["read"])
        let logged = names(o, action: "SCMP_ACT_LOG")
        #expect(logged.isSuperset(of: ["uname", "mkdir", "personality"]))
        #expect(!names(o, action: "SCMP_ACT_ALLOW").contains("uname"))
    }

    @Test func errnoActionGivesEPERM() throws {
        let (o, profile) = try merged(allow: ["read"], action: .errno)
        #expect(profile.action == .errno)
        let uname = try #require(entries(o).first { $0["names"]?.stringArray?.contains("uname") == true })
        #expect(uname["action"] == .string("SCMP_ACT_ERRNO"))
        #expect(uname["errnoRet"] == .number("1"))
    }

    @Test func baseDenialsStayAsTheBaseHadThem() throws {
        let (o, _) = try merged(allow: ["read", "kexec_load", "vmsplice"])
        let denied = try #require(entries(o).first { $0["names"]?.stringArray == ["kexec_load", "vmsplice"] })
        #expect(denied["action"] == .string("SCMP_ACT_ERRNO"))
        #expect(denied["errnoRet"] == .number("1"))
        #expect(o["defaultAction"] == .string("SCMP_ACT_ERRNO"))
        #expect(o["defaultErrnoRet"] == .number("38"))
        #expect(o["archMap"] != nil)
        // The base's own LOG entry is left alone.
        #expect(names(o, action: "SCMP_ACT_LOG").contains("mount"))
    }

    @Test func conditionalRulesKeepTheirConditions() throws {
        let (o, _) = try merged(allow: ["read"])
        let personality = try #require(entries(o).first { $0["names"]?.stringArray == ["personality"] })
        #expect(personality["action"] == .string("SCMP_ACT_LOG"))
        // The 64-bit argument survives as written.
        #expect(personality["args"]?.arrayValue?.first?["value"] == .number("18446744073709551615"))
        let ptrace = entries(o).filter { $0["names"]?.stringArray == ["ptrace"] }
        #expect(ptrace.count == 2)
        #expect(ptrace.contains { $0["action"] == .string("SCMP_ACT_LOG") && $0["includes"]?["caps"] != nil })
        #expect(ptrace.contains { $0["action"] == .string("SCMP_ACT_ERRNO") && $0["excludes"]?["caps"] != nil })
    }

    @Test func policyCannotAllowWhatTheBaseDenies() throws {
        let (o, _) = try merged(allow: ["read", "kexec_load", "bpf"])
        let allowed = names(o, action: "SCMP_ACT_ALLOW")
        #expect(!allowed.contains("kexec_load"))
        #expect(!allowed.contains("bpf"))
    }

    @Test func digestIsStableAndNamesTheBytes() throws {
        let (_, a) = try merged(allow: ["uname", "read"])
        let (_, b) = try merged(allow: ["read", "uname"])
        #expect(a.text == b.text)
        #expect(a.digest == b.digest)
        #expect(a.digest == ProfileDigest.of(a.text))
        let (_, c) = try merged(allow: ["read"])
        #expect(c.digest != a.digest)
    }

    @Test func denylistBaseGetsThePolicyActionAsDefault() throws {
        let base = try #require(try JSONParser.parse(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kexec_load"],"action":"SCMP_ACT_ERRNO"}]}"#).objectValue)
        let out = SeccompPolicyMerge(allowedNames: ["read", "kexec_load"], action: .log).apply(to: base)
        #expect(out["defaultAction"] == .string("SCMP_ACT_LOG"))
        let list = (out["syscalls"]?.arrayValue ?? []).compactMap(\.objectValue)
        #expect(list.first?["action"] == .string("SCMP_ACT_ERRNO"))
        // read is allowed explicitly; kexec_load stays denied (the base names it).
        #expect(list.contains { $0["action"] == .string("SCMP_ACT_ALLOW") && $0["names"]?.stringArray == ["read"] })
    }

    @Test func specActionErrnoIsTheProfileDefault() throws {
        #expect(try policy(allow: ["read"], action: "errno").action == .errno)
        #expect(try policy(allow: ["read"]).action == .log)
    }

    @Test func sha256MatchesTheStandardVector() {
        #expect(ProfileDigest.of("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ProfileDigest.of("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = String(repeating: "a", count: 1000)
        #expect(ProfileDigest.of(long) == "sha256:41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
