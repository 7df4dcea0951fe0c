import Testing
@testable import PolicyKit

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("docker.io/nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1"),
        ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
        ("localhost/app:1.0", "localhost/app:1.0"),
        ("registry.example.com:5000/team/app", "registry.example.com:5000/team/app:latest"),
        ("Registry.Example.com/app:v1", "registry.example.com/app:v1"),
        (
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ),
    ])
    func referencesNormaliseLikeDockerAndPodman(input: String, normalised: String) throws {
        #expect(try ImageReference.parse(input).description == normalised)
    }

    @Test(arguments: ["Nginx", "nginx:", "registry.example.com:abc/x", "nginx@sha256:1234", "team//app", "", "app:*"])
    func invalidReferencesAreRejected(input: String) {
        #expect(throws: ImageReferenceError.self) { try ImageReference.parse(input) }
    }

    @Test func globsMatchTagsAndRepositories() throws {
        let p = try ImagePattern("registry.example.com:5000/team/*:1.*")
        #expect(p.matches(try .parse("registry.example.com:5000/team/api:1.4")))
        #expect(p.matches(try .parse("registry.example.com:5000/team/a/b:1.0")))
        #expect(!p.matches(try .parse("registry.example.com:5000/team/api:2.0")))
        #expect(!p.matches(try .parse("registry.example.com/team/api:1.0")))
    }

    @Test func patternWithoutTagMeansLatest() throws {
        let p = try ImagePattern("nginx")
        #expect(p.matches(try .parse("docker.io/library/nginx:latest")))
        #expect(!p.matches(try .parse("nginx:1.25")))
    }

    @Test func digestPatternMatchesOnlyThatDigest() throws {
        let d = "sha256:" + String(repeating: "ab", count: 32)
        let p = try ImagePattern("nginx@" + d)
        #expect(p.matches(try .parse("nginx@" + d)))
        #expect(p.matches(try .parse("nginx:1.25@" + d)))
        #expect(!p.matches(try .parse("nginx@sha256:" + String(repeating: "cd", count: 32))))
        #expect(!p.matches(try .parse("nginx:latest")))
    }

    @Test func starTagMatchesDigestOnlyReferences() throws {
        let p = try ImagePattern("nginx:*")
        #expect(p.matches(try .parse("nginx@sha256:" + String(repeating: "ab", count: 32))))
    }

    @Test func moreLiteralCharactersAreMoreSpecific() throws {
        #expect(try ImagePattern("nginx:1.25").specificity > ImagePattern("nginx:1.*").specificity)
        #expect(try ImagePattern("nginx@sha256:" + String(repeating: "ab", count: 32)).specificity
            > ImagePattern("nginx:1.25").specificity)
    }

    @Test func overlapIsDetectedBetweenGlobs() throws {
        #expect(try ImagePattern("nginx:1.*").overlaps(ImagePattern("nginx:*.2")))
        #expect(try !ImagePattern("nginx:1.*").overlaps(ImagePattern("nginx:2.*")))
        #expect(try ImagePattern("localhost/*:1.0").overlaps(ImagePattern("localhost/app:*")))
        #expect(try !ImagePattern("localhost/app:*").overlaps(ImagePattern("localhost/api:*")))
    }

    @Test func starAloneIsNotAPattern() {
        #expect(throws: ImageReferenceError.self) { try ImagePattern("*") }
    }
}
