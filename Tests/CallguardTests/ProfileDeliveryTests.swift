import CallguardAgent
import Foundation
import PolicyKit
import Testing
import TestSupport

/// What the agent writes for the hook and the kubelet, from fixture policies and base.
struct ProfileDeliveryTests {
    static let base = Fixtures.directory().appendingPathComponent("policy/base-seccomp.json").path

    func set(_ policies: [(String, String)]) throws -> PolicySet {
        try PolicyLoader().load(
            sources: policies.map { name, images in
                PolicySource(
                    path: "\(name).yaml",
                    text: "apiVersion: callguard.dev/v1\nkind: SyscallPolicy\nmetadata: {name: \(name)}\nspec: {images: \(images), allow: [read], action: errno}\n")
            }
        ).get()
    }

    func withDirectory(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-delivery-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    func configuration(_ dir: String, kubelet: Bool = false) -> ProfileDeliveryConfiguration {
        var c = ProfileDeliveryConfiguration()
        c.stateDirectory = dir + "/state"
        c.baseProfile = Self.base
        c.kubeletSeccompRoot = kubelet ? dir + "/kubelet" : nil
        return c
    }

    @Test func indexNamesEachProfileFileByTheDigestOfItsBytes() throws {
        try withDirectory { dir in
            let p = try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#), ("fallback", #"["*"]"#)]), configuration: configuration(dir))
            let index = try ProfileIndex.read(stateDirectory: dir + "/state")
            #expect(index == p.index)
            #expect(index.base == Self.base)
            #expect(index.policies.map(\.name) == ["app", "fallback"])
            for entry in index.policies {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/state/" + entry.profile))
                #expect(entry.digest == ProfileDigest.of(Array(bytes)))
                #expect(entry.action == "errno")
                #expect(entry.allow.contains("read"))
            }
            #expect(index.entry(named: "fallback")?.isDefault == true)
            #expect(index.entry(forImage: "docker.io/library/nginx:1")?.name == "fallback")
        }
    }

    @Test func republishingRemovesTheProfilesOfPoliciesThatAreGone() throws {
        try withDirectory { dir in
            _ = try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#), ("old", #"["localhost/old:*"]"#)]), configuration: configuration(dir))
            #expect(FileManager.default.fileExists(atPath: dir + "/state/profiles/old.json"))
            _ = try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#)]), configuration: configuration(dir))
            #expect(!FileManager.default.fileExists(atPath: dir + "/state/profiles/old.json"))
            #expect(try ProfileIndex.read(stateDirectory: dir + "/state").policies.map(\.name) == ["app"])
        }
    }

    @Test func kubeletProfilesGoUnderTheConfiguredRootOnly() throws {
        try withDirectory { dir in
            let without = try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#)]), configuration: configuration(dir))
            #expect(without.kubeletDirectory == nil)
            let with = try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#)]), configuration: configuration(dir, kubelet: true))
            #expect(with.kubeletDirectory == dir + "/kubelet/callguard")
            let kubelet = try Data(contentsOf: URL(fileURLWithPath: dir + "/kubelet/callguard/app.json"))
            let state = try Data(contentsOf: URL(fileURLWithPath: dir + "/state/profiles/app.json"))
            #expect(kubelet == state)
        }
    }

    @Test func anUnusableBaseIsAnErrorNamingIt() throws {
        try withDirectory { dir in
            var c = configuration(dir)
            c.baseProfile = dir + "/missing.json"
            #expect(throws: ProfileDelivery.Failure.self) { try ProfileDelivery.publish(try set([("app", #"["localhost/app:*"]"#)]), configuration: c) }
            #expect(!FileManager.default.fileExists(atPath: dir + "/state/index.json"))
        }
    }
}
