import Foundation
import Glibc
import Logging
import PolicyKit

/// Writes every active policy's merged seccomp profile where container
/// runtimes pick it up: the OCI hook's state directory (`profiles/<policy>.json`
/// and `index.json`, each replaced atomically, the index last) and, when the
/// kubelet's seccomp root exists or is configured, `<root>/callguard/<policy>.json`
/// for pods with `seccompProfile: {type: Localhost, localhostProfile: callguard/<policy>.json}`.
///
/// The agent calls ``publish(_:configuration:logger:)`` on start and after
/// every successful reload; a failure is logged and never stops the agent.
public enum ProfileDelivery {
    /// What one publication wrote.
    public struct Publication: Sendable, Equatable {
        /// The base profile used.
        public var base: String
        /// The index as written.
        public var index: ProfileIndex
        /// The hook's state directory written, when any.
        public var stateDirectory: String?
        /// The kubelet profile directory written, when any.
        public var kubeletDirectory: String?
    }

    /// Why nothing (or not everything) could be published.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Publishes `set`'s profiles and logs what it did; returns nil on failure (logged).
    @discardableResult
    public static func publish(_ set: PolicySet, configuration: ProfileDeliveryConfiguration, logger: Logger) -> Publication? {
        do {
            let p = try publish(set, configuration: configuration)
            logger.info(
                "seccomp profiles for \(p.index.policies.count) polic\(p.index.policies.count == 1 ? "y" : "ies") written to \([p.stateDirectory, p.kubeletDirectory].compactMap { $0 }.joined(separator: " and ")) (base \(p.base); hook failure mode \(p.index.hookFailure.rawValue))")
            if let state = p.stateDirectory {
                let failures = HookFailureLog.read(stateDirectory: state)
                if let last = failures.last {
                    logger.warning(
                        "the OCI hook recorded \(failures.count) failure(s) in \(state)/\(HookFailureLog.directoryName) (latest: \(last.reason), outcome \(last.outcome)); remove the files once handled")
                }
            }
            return p
        } catch {
            logger.error("\(error.description); containers created now may keep their runtime's profile and be unguarded")
            return nil
        }
    }

    /// Publishes `set`'s profiles; throws what went wrong.
    public static func publish(_ set: PolicySet, configuration: ProfileDeliveryConfiguration) throws(Failure) -> Publication {
        let (builder, base) = try loadBase(configuration.baseProfile)
        var entries: [ProfileIndex.Entry] = []
        var profiles: [(name: String, text: String)] = []
        for policy in set.activePolicies {
            let profile = builder.build(policy)
            let merge = SeccompPolicyMerge(policy: policy)
            entries.append(
                ProfileIndex.Entry(
                    name: policy.name, images: policy.images.map(\.text), isDefault: policy.isDefault,
                    profile: "profiles/\(policy.name).json", digest: profile.digest, action: policy.action.rawValue,
                    allow: merge.allowedNames.sorted()))
            profiles.append((policy.name, profile.text))
        }
        let index = ProfileIndex(hookFailure: configuration.hookFailure, base: base, policies: entries)
        // The two destinations are independent: one failing does not keep the other from being written.
        var failures: [String] = []
        var stateWritten = false
        if let state = configuration.stateDirectory {
            do throws(DeliveryFiles.Failure) {
                try DeliveryFiles.makeDirectory(state + "/profiles")
                for p in profiles { try DeliveryFiles.writeAtomically(Array(p.text.utf8), to: "\(state)/profiles/\(p.name).json") }
                try DeliveryFiles.writeAtomically(index.encoded(), to: "\(state)/\(ProfileIndex.fileName)")
                stateWritten = true
                // Profiles of policies that are gone: the index no longer names them.
                let current = Set(profiles.map { "\($0.name).json" })
                for file in (try? FileManager.default.contentsOfDirectory(atPath: state + "/profiles")) ?? []
                where file.hasSuffix(".json") && !current.contains(file) {
                    unlink("\(state)/profiles/\(file)")
                }
            } catch {
                failures.append("cannot write the seccomp profiles for the OCI hook to \(state): \(error.description)")
            }
        }

        var kubeletDirectory: String?
        let root = configuration.kubeletSeccompRoot ?? ProfileDeliveryConfiguration.defaultKubeletSeccompRoot
        var isDir: ObjCBool = false
        if configuration.kubeletSeccompRoot != nil
            || (FileManager.default.fileExists(atPath: root, isDirectory: &isDir) && isDir.boolValue)
        {
            let dir = root + "/callguard"
            do throws(DeliveryFiles.Failure) {
                try DeliveryFiles.makeDirectory(dir)
                for p in profiles { try DeliveryFiles.writeAtomically(Array(p.text.utf8), to: "\(dir)/\(p.name).json") }
                kubeletDirectory = dir
            } catch {
                failures.append("cannot write the kubelet seccomp profiles to \(dir): \(error.description)")
            }
        }
        if !stateWritten && kubeletDirectory == nil && failures.isEmpty {
            failures.append("no destination for seccomp profiles: the state directory is off and there is no kubelet seccomp root")
        }
        ProfileDigestRegistry.shared.replace(with: Dictionary(entries.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a }))
        guard failures.isEmpty else { throw Failure(description: failures.joined(separator: "; ")) }
        return Publication(base: base, index: index, stateDirectory: stateWritten ? configuration.stateDirectory : nil, kubeletDirectory: kubeletDirectory)
    }

    /// The base profile: `path`, else the first host default that exists.
    public static func loadBase(_ path: String?) throws(Failure) -> (MergedProfileBuilder, String) {
        let candidates = path.map { [$0] } ?? MergedProfileBuilder.hostDefaultCandidates
        guard let found = candidates.first(where: { path != nil || FileManager.default.fileExists(atPath: $0) }) else {
            throw Failure(
                description: "no container runtime default seccomp profile found (looked for \(candidates.joined(separator: ", "))); give one with --base-profile")
        }
        let data: Data
        do {
            data = try DeliveryFiles.read(found, limit: 16 << 20)
        } catch {
            throw Failure(description: "cannot read the base seccomp profile: \(error.description)")
        }
        do {
            return (try MergedProfileBuilder(baseText: String(decoding: data, as: UTF8.self), source: found), found)
        } catch {
            throw Failure(description: error.description)
        }
    }
}
