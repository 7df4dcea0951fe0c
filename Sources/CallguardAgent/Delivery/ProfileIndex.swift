import Foundation
import PolicyKit

/// The OCI hook's view of the policies: `index.json` in the state directory,
/// written by the agent on start and on every reload. The hook reads nothing
/// else about policies, so it needs no YAML and no running agent.
public struct ProfileIndex: Codable, Sendable, Equatable {
    /// One policy that applies to containers.
    public struct Entry: Codable, Sendable, Equatable {
        /// `metadata.name` (annotation `dev.callguard.policy`).
        public var name: String
        /// `spec.images` as written; empty for the default policy.
        public var images: [String]
        /// Whether it is the default policy (`images: ["*"]`).
        public var isDefault: Bool
        /// The profile file, relative to the state directory.
        public var profile: String
        /// `sha256:<hex>` of the profile file (annotation `dev.callguard.profile-digest`).
        public var digest: String
        /// `log` or `errno`.
        public var action: String
        /// The syscall names the policy allows (the runtime's own calls included), sorted.
        public var allow: [String]

        enum CodingKeys: String, CodingKey {
            case name, images, isDefault = "default", profile, digest, action, allow
        }

        public init(
            name: String, images: [String], isDefault: Bool, profile: String, digest: String, action: String,
            allow: [String]
        ) {
            self.name = name
            self.images = images
            self.isDefault = isDefault
            self.profile = profile
            self.digest = digest
            self.action = action
            self.allow = allow
        }
    }

    public static let fileName = "index.json"
    public static let currentVersion = 1

    public var version = ProfileIndex.currentVersion
    /// What the hook does when it fails.
    public var hookFailure: HookFailureMode
    /// The base profile the profiles were built from.
    public var base: String
    public var policies: [Entry]

    public init(hookFailure: HookFailureMode, base: String, policies: [Entry]) {
        self.hookFailure = hookFailure
        self.base = base
        self.policies = policies.sorted { $0.name < $1.name }
    }

    /// The entry for `image`, matched exactly as the agent matches policies
    /// (``ImagePatternTable``); patterns that do not parse match nothing.
    public func entry(forImage image: String, digest: String? = nil) -> Entry? {
        table.lookup(image: image, digest: digest)
    }

    /// The entry of the policy named `name`.
    public func entry(named name: String) -> Entry? { policies.first { $0.name == name } }

    private var table: ImagePatternTable<Entry> {
        var rows: [(ImagePattern, String, Entry)] = []
        for e in policies where !e.isDefault {
            for text in e.images {
                if let p = try? ImagePattern(text) { rows.append((p, e.name, e)) }
            }
        }
        return ImagePatternTable(rows, fallback: policies.first(where: \.isDefault))
    }

    /// The index as written: pretty JSON, sorted keys.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Why an index cannot be used.
    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `<stateDirectory>/index.json` (at most 16 MiB).
    public static func read(stateDirectory: String) throws(ReadError) -> ProfileIndex {
        let path = stateDirectory + "/" + fileName
        let data: Data
        do {
            data = try DeliveryFiles.read(path, limit: 16 << 20)
        } catch {
            throw ReadError(description: "cannot read the profile index \(path): \(error.description); is `callguard run --state-dir \(stateDirectory)` running, and was it started once?")
        }
        do {
            let index = try JSONDecoder().decode(ProfileIndex.self, from: data)
            guard index.version == currentVersion else {
                throw ReadError(description: "the profile index \(path) has version \(index.version); this callguard reads version \(currentVersion): restart the agent with this callguard")
            }
            return index
        } catch let e as ReadError {
            throw e
        } catch {
            throw ReadError(description: "the profile index \(path) is not valid: \(error)")
        }
    }
}
