import CallguardAgent
import ContainerKit
import PolicyKit
import SinkKit
import Testing

/// A violation names the profile its container runs with, and whether it is stale.
struct ViolationProfileTests {
    func policy(_ name: String) throws -> CompiledPolicy {
        let yaml = "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: \(name)}\nspec: {images: [\"localhost/\(name):1\"], allow: [read]}\n"
        return try #require(try PolicyLoader().load(sources: [PolicySource(path: "\(name).yaml", text: yaml)]).get().policy(named: name))
    }

    @Test func containerOnTheCurrentProfileIsNotStale() throws {
        let registry = ProfileDigestRegistry()
        registry.replace(with: ["app": "sha256:new"])
        let p = ViolationFactory.profile(ProfileStamp(policy: "app", digest: "sha256:new"), judgedBy: try policy("app"), registry: registry)
        #expect(p?.stale == false)
        #expect(p?.digest == "sha256:new")
    }

    @Test func containerCreatedUnderAnOlderProfileIsStale() throws {
        let registry = ProfileDigestRegistry()
        registry.replace(with: ["app": "sha256:new"])
        let p = ViolationFactory.profile(ProfileStamp(policy: "app", digest: "sha256:old"), judgedBy: try policy("app"), registry: registry)
        #expect(p?.stale == true)
        #expect(p?.digest == "sha256:old")
    }

    @Test func stalenessIsUnknownBeforeAnyPublication() throws {
        let p = ViolationFactory.profile(ProfileStamp(policy: "app", digest: "sha256:x"), judgedBy: try policy("app"), registry: ProfileDigestRegistry())
        #expect(p?.stale == nil)
    }

    @Test func theRegistrysGenerationChangesWithEveryPublication() {
        let registry = ProfileDigestRegistry()
        let g0 = registry.generation
        registry.replace(with: ["app": "sha256:new"])
        let g1 = registry.generation
        registry.trustStamps(in: "/nonexistent")
        let g2 = registry.generation
        #expect(g0 != g1)
        #expect(g1 != g2)
        #expect(g0 != g2)
    }

    @Test func unguardedContainerHasNoProfile() throws {
        #expect(ViolationFactory.profile(nil, judgedBy: try policy("app")) == nil)
    }
}
