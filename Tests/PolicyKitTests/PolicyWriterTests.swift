import AuditKit
import Testing
@testable import PolicyKit

@Suite struct PolicyWriterTests {
    @Test func writtenPolicyLoadsBackToTheSameAllowlist() throws {
        let writer = PolicyWriter(
            name: "learned", images: ["localhost/app:1.0"], allow: ["write", "read", "read", "pread64"],
            include: ["base"], severity: .high, comment: ["learned for 60s", "second line\nwith newline"])
        let base = """
            apiVersion: callguard.dev/v1
            kind: SyscallPolicy
            metadata: {name: base}
            spec: {allow: [close]}
            """
        let result = PolicyLoader().load(sources: [
            PolicySource(path: "learned.yaml", text: writer.yaml), PolicySource(path: "base.yaml", text: base),
        ])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let policy = try #require(try result.get().policy(forImage: "localhost/app:1.0"))
        #expect(policy.name == "learned")
        #expect(policy.severity == .high)
        #expect(policy.syscalls.names(on: .x86_64) == ["read", "write", "close", "pread"])
        #expect(writer.yaml.hasPrefix("# learned for 60s\n# second linewith newline\n"))
    }

    @Test func hostileStringsStayInsideTheirScalars() throws {
        let writer = PolicyWriter(name: "x", images: ["a\"]\nspec: {}"], allow: ["read"])
        let result = PolicyLoader().load(sources: [PolicySource(path: "x.yaml", text: writer.yaml)])
        // The image is one (invalid) pattern, not extra YAML structure, and its
        // newline is escaped so the diagnostic stays one line.
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.hasPrefix("image pattern 'a\"]\\nspec: {}' can never match") == true)
    }
}
