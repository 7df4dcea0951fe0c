import AuditKit
import Foundation
import Testing
@testable import PolicyKit
import TestSupport

@Suite struct PolicyLoaderTests {
    func loadValid() throws -> PolicySet {
        let dir = Fixtures.directory().appendingPathComponent("valid").path
        let result = try PolicyLoader().load(directory: dir)
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try result.get()
    }

    func load(_ sources: [(String, String)]) -> PolicyLoadResult {
        PolicyLoader().load(sources: sources.map { PolicySource(path: $0.0, text: $0.1) })
    }

    static func policy(_ name: String, images: String = "[]", allow: String = "[read]", include: String = "[]") -> String {
        """
        apiVersion: callguard.dev/v1
        kind: SyscallPolicy
        metadata: {name: \(name)}
        spec: {images: \(images), allow: \(allow), include: \(include)}
        """
    }

    @Test func validDirectoryLoadsOnlyYAMLFiles() throws {
        let set = try loadValid()
        #expect(Set(set.policiesByName.keys) == ["default", "web", "web-canary", "base", "internal"])
        #expect(set.activePolicies.map(\.name) == ["default", "internal", "web", "web-canary"])
    }

    @Test func defaultPolicyIsTheOneWithStarImages() throws {
        let set = try loadValid()
        #expect(set.defaultPolicy?.name == "default")
        #expect(set.policy(forImage: "quay.io/someone/else:3")?.name == "default")
        #expect(set.policy(forImage: "not a reference")?.name == "default")
    }

    @Test func mostSpecificPatternWins() throws {
        let set = try loadValid()
        #expect(set.policy(forImage: "nginx:1.25-canary")?.name == "web-canary")
        #expect(set.policy(forImage: "docker.io/library/nginx:1.24")?.name == "web")
        #expect(set.policy(forImage: "nginx:latest")?.name == "default")
        #expect(set.policy(forImage: "registry.example.com:5000/team/api:7")?.name == "internal")
        #expect(set.policy(forImage: "localhost/app:1.0")?.name == "internal")
    }

    @Test func includesByNameAndPathAreMerged() throws {
        let set = try loadValid()
        let web = try #require(set.policy(named: "web"))
        #expect(web.allows(arch: .x86_64, syscall: 0))  // read, from base
        #expect(web.allows(arch: .x86_64, syscall: 288))  // accept4, own
        #expect(web.allows(arch: .x86_64, syscall: 17))  // pread64, from base
        let canary = try #require(set.policy(named: "web-canary"))
        #expect(canary.allows(arch: .x86_64, syscall: 101))  // ptrace, own
        #expect(canary.allows(arch: .x86_64, syscall: 40))  // sendfile, from web
        let def = try #require(set.defaultPolicy)
        #expect(def.allows(arch: .x86_64, syscall: 12))  // brk, from the JSON profile
        #expect(!def.allows(arch: .x86_64, syscall: 101))
    }

    @Test func compiledPolicyCarriesNameFileAndSeverity() throws {
        let set = try loadValid()
        let web = try #require(set.policy(named: "web"))
        #expect(web.severity == .high)
        #expect(web.file.hasSuffix("valid/web.yaml"))
        #expect(set.policy(named: "internal")?.severity == .medium)
    }

    @Test func duplicatePolicyNameIsAnError() {
        let r = load([("a.yaml", Self.policy("same")), ("b.yaml", Self.policy("same"))])
        #expect(r.set == nil)
        #expect(r.errors.map(\.description) == [
            "b.yaml:3:18: duplicate policy name 'same' (also at a.yaml:3:18); rename one"
        ])
    }

    @Test func duplicatePolicyStillHasItsOwnErrorsReported() {
        let r = load([("a.yaml", Self.policy("same")), ("b.yaml", Self.policy("same", allow: "[raed]"))])
        #expect(r.errors.count == 2)
        #expect(r.errors.last?.message.contains("unknown syscall 'raed'") == true)
    }

    @Test func includeCycleIsAnError() {
        let r = load([
            ("a.yaml", Self.policy("a", include: "[b]")), ("b.yaml", Self.policy("b", include: "[a]")),
        ])
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.message.contains("include cycle: a -> b -> a") == true)
    }

    @Test func selfIncludeIsACycle() {
        let r = load([("a.yaml", Self.policy("a", include: "[a]"))])
        #expect(r.errors.first?.message.contains("include cycle: a -> a") == true)
    }

    @Test func equallySpecificPatternsOfTwoPoliciesAreAnError() {
        let r = load([
            ("a.yaml", Self.policy("a", images: "[\"nginx:1.*\"]")),
            ("b.yaml", Self.policy("b", images: "[\"nginx:*.2\"]")),
        ])
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.message.contains("can match the same image with equal specificity") == true)
    }

    @Test func patternsThatCannotOverlapAreFine() {
        let r = load([
            ("a.yaml", Self.policy("a", images: "[\"nginx:1.*\"]")),
            ("b.yaml", Self.policy("b", images: "[\"nginx:2.*\"]")),
            ("c.yaml", Self.policy("c", images: "[\"nginx:1.2*\"]")),
        ])
        #expect(r.errors.isEmpty, "\(r.errors)")
    }

    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test func digestPolicyAppliesToAContainerWhoseResolvedImageHasThatDigest() throws {
        let set = try load([
            ("pinned.yaml", Self.policy("pinned", images: "[\"nginx@\(Self.digest)\"]")),
            ("default.yaml", Self.policy("default", images: "[\"*\"]")),
        ]).get()
        // The runtime names the image by tag and records its digest apart.
        #expect(set.policy(forImage: "docker.io/library/nginx:1.27", digest: Self.digest)?.name == "pinned")
        #expect(set.policy(forImage: "docker.io/library/nginx:1.27", digest: nil)?.name == "default")
        let other = "sha256:" + String(repeating: "cd", count: 32)
        #expect(set.policy(forImage: "docker.io/library/nginx:1.27", digest: other)?.name == "default")
        #expect(set.policy(forImage: "docker.io/library/nginx:1.27", digest: "not-a-digest")?.name == "default")
    }

    @Test func digestPolicyBeatsATagPolicyForTheSameImage() throws {
        let set = try load([
            ("pinned.yaml", Self.policy("pinned", images: "[\"*@\(Self.digest)\"]")),
            ("tagged.yaml", Self.policy("tagged", images: "[\"docker.io/library/nginx:1.27\"]")),
        ]).get()
        #expect(set.policy(forImage: "nginx:1.27", digest: Self.digest)?.name == "pinned")
        #expect(set.policy(forImage: "nginx:1.27")?.name == "tagged")
    }

    @Test func exactRepositoryBeatsAGlobWithMoreLiteralCharacters() throws {
        let set = try load([
            ("slim.yaml", Self.policy("slim", images: "[\"*/*:*.*-alpine-slim\"]", allow: "[read, ptrace]")),
            ("nginx.yaml", Self.policy("nginx", images: "[\"docker.io/library/nginx:*\"]")),
        ]).get()
        let chosen = set.policy(forImage: "nginx:1.27.3-alpine-slim")
        #expect(chosen?.name == "nginx")
        #expect(chosen?.allows(arch: .x86_64, syscall: 101) == false)  // ptrace
        #expect(set.policy(forImage: "bitnami/redis:7.2-alpine-slim")?.name == "slim")
    }

    @Test func exactRegistryBeatsAGlobRegistryWhateverTheRest() throws {
        let set = try load([
            ("any.yaml", Self.policy("any-hub-image", images: "[\"docker.io/*:*\"]")),
            ("nginx.yaml", Self.policy("nginx-any-registry", images: "[\"*.io/library/nginx:1.27\"]")),
        ]).get()
        #expect(set.policy(forImage: "nginx:1.27")?.name == "any-hub-image")
        #expect(set.policy(forImage: "quay.io/library/nginx:1.27")?.name == "nginx-any-registry")
    }

    @Test func equallySpecificDigestPatternsOfTwoPoliciesAreAnError() {
        let r = load([
            ("a.yaml", Self.policy("a", images: "[\"nginx@\(Self.digest)\"]")),
            ("b.yaml", Self.policy("b", images: "[\"nginx:*@\(Self.digest)\"]")),
        ])
        #expect(r.set == nil)
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.message.contains("can match the same image with equal specificity") == true)
    }

    @Test func includeOfAnUnknownNameSuggestsTheNearest() {
        let r = load([
            ("a.yaml", Self.policy("base")), ("b.yaml", Self.policy("b", images: "[x]", include: "[bsae]")),
        ])
        #expect(r.errors.first?.message.contains("did you mean 'base'") == true)
    }

    @Test func includedSeccompProfileByPathJoinsTheAllowlist() throws {
        let profile = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}"#
        let r = load([
            ("dir/a.yaml", Self.policy("a", images: "[x]", include: "[profiles/p.json]")),
            ("dir/profiles/p.json", profile),
        ])
        let a = try #require(try r.get().policy(named: "a"))
        #expect(a.allows(arch: .x86_64, syscall: 101))
    }

    @Test func missingIncludedFileIsAnErrorAtTheInclude() {
        let r = load([("a.yaml", Self.policy("a", images: "[x]", include: "[nowhere/p.json]"))])
        #expect(r.errors.first?.mark == SourceMark(line: 4, column: 46))
        #expect(r.errors.first?.message.contains("cannot read included file 'nowhere/p.json'") == true)
    }

    @Test func errorsInManyFilesAreAllReported() {
        let r = load([
            ("a.yaml", Self.policy("a", allow: "[opne]")), ("b.yaml", Self.policy("b", allow: "[raed]")),
            ("c.yaml", "a: [unclosed"),
        ])
        #expect(Set(r.errors.map(\.file)) == ["a.yaml", "b.yaml", "c.yaml"])
    }

    @Test func seccompProfileInTheDirectoryIsAnIncludablePolicyNamedByItsFile() throws {
        let profile = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}"#
        let r = load([("docker-default.yaml", profile), ("a.yaml", Self.policy("a", images: "[x]", include: "[docker-default]"))])
        let set = try r.get()
        #expect(set.policy(named: "docker-default")?.isActive == false)
        #expect(set.policy(named: "a")?.allows(arch: .x86_64, syscall: 101) == true)
    }

    @Test func unreadableDirectoryIsADirectoryError() {
        #expect(throws: PolicyDirectoryError.self) { try PolicyLoader().load(directory: "/nonexistent/callguard") }
    }

    // Golden diagnostics: each invalid fixture beside its expected .diag.
    static let invalidFixtures: [String] = {
        let dir = Fixtures.directory().appendingPathComponent("invalid").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test(arguments: invalidFixtures)
    func invalidFixtureProducesExpectedDiagnostics(name: String) throws {
        let dir = Fixtures.directory().appendingPathComponent("invalid")
        let bytes = Array(try Data(contentsOf: dir.appendingPathComponent(name)))
        let result = PolicyLoader().load(sources: [PolicySource(path: name, bytes: bytes)])
        #expect(result.set == nil)
        let actual = result.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        try Golden.check(actual, file: dir.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".diag")))
    }

    @Test func invalidSetProducesExpectedDiagnostics() throws {
        let dir = Fixtures.directory().appendingPathComponent("invalid-set")
        let result = try PolicyLoader().load(directory: dir.path)
        #expect(result.set == nil)
        let actual = result.diagnostics.map { $0.description.replacingOccurrences(of: dir.path + "/", with: "") }
            .joined(separator: "\n") + "\n"
        try Golden.check(actual, file: dir.appendingPathComponent("expected.diag"))
    }
}

/// Compares text with a golden file; never writes it (`make golden` records it).
enum Golden {
    static func check(_ actual: String, file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(
            GoldenFile.matches(actual, golden: file), "differs from \(file.lastPathComponent); `make golden` records it",
            sourceLocation: sourceLocation)
    }
}

@Suite struct PolicyLoaderWarningTests {
    @Test func emptyFileIsAWarningNotAnError() throws {
        let result = PolicyLoader().load(sources: [
            PolicySource(path: "empty.yaml", text: "# nothing yet\n"),
            PolicySource(path: "p.yaml", text: PolicyLoaderTests.policy("p", images: "[\"*\"]")),
        ])
        let set = try result.get()
        #expect(set.warnings.map(\.description) == ["empty.yaml:1:1: warning: the file holds no policy; remove it or write one"])
    }
}
