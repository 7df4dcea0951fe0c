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

    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// (more specific, less specific): the first beats the second for an image both match.
    @Test(arguments: [
        // A digest beats any pattern without one, however exact.
        ("*@" + digest, "docker.io/library/nginx:1.27"),
        ("nginx@" + digest, "nginx:1.27"),
        // Then the registry: exact beats a glob, whatever follows.
        ("docker.io/*:*", "*.io/library/nginx:1.27"),
        ("registry.example.com/*:*", "*.example.com/team/app:1"),
        // Then the repository: exact beats a glob; of two globs, more literals in it.
        ("docker.io/library/nginx:*", "*/*:*.*-alpine-slim"),
        ("nginx:*", "library/ng*:1.27.3-alpine-slim"),
        ("localhost/team/*:*", "localhost/*:1.0"),
        // Then the tag: exact beats a glob; of two globs, more literals in it.
        ("nginx:1.25", "nginx:1.*"),
        ("nginx:1.2*", "nginx:1.*"),
        ("nginx:1.*", "nginx:*"),
        // With equal digests, the tag still counts; no tag ranks like `*`.
        ("nginx:1.27@" + digest, "nginx@" + digest),
    ])
    func specificityFollowsTheReferenceStructure(higher: String, lower: String) throws {
        let a = try ImagePattern(higher)
        let b = try ImagePattern(lower)
        #expect(a.specificity > b.specificity, "\(a.specificity) vs \(b.specificity)")
        #expect(b.specificity < a.specificity)
    }

    @Test(arguments: [
        ("nginx:1.*", "nginx:*.2"),
        ("redis", "docker.io/library/redis:latest"),
        ("nginx:*@" + digest, "nginx@" + digest),
        ("*.io/library/nginx:*", "do*.*/library/nginx:*"),
    ])
    func equallySpecificPatternsRankEqual(a: String, b: String) throws {
        #expect(try ImagePattern(a).specificity == ImagePattern(b).specificity)
    }

    @Test func moreLiteralCharactersElsewhereDoNotBeatAnExactRepository() throws {
        let glob = try ImagePattern("*/*:*.*-alpine-slim")
        let exact = try ImagePattern("docker.io/library/nginx:*")
        let image = try ImageReference.parse("nginx:1.27.3-alpine-slim")
        #expect(glob.matches(image) && exact.matches(image))
        #expect(exact.specificity > glob.specificity)
    }

    @Test func digestPatternMatchesTheResolvedDigestOfATaggedImage() throws {
        let p = try ImagePattern("nginx@" + Self.digest)
        let tagged = try ImageReference.parse("docker.io/library/nginx:1.27")
        #expect(p.matches(tagged, digest: Self.digest))
        #expect(!p.matches(tagged))
        #expect(!p.matches(tagged, digest: "sha256:" + String(repeating: "cd", count: 32)))
        #expect(try !ImagePattern("redis@" + Self.digest).matches(tagged, digest: Self.digest))
        #expect(try !ImagePattern("nginx:1.26@" + Self.digest).matches(tagged, digest: Self.digest))
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
