import ContainerKit
import Foundation
import Glibc

/// What the OCI hook applied, per container, in the root-owned state
/// directory: `<state>/stamps/<container id>.json` = `{"policy", "digest", "token"}`.
///
/// A container's own annotations (`dev.callguard.policy`,
/// `dev.callguard.profile-digest`) are written by whoever creates it
/// (`podman run --annotation`, Kubernetes pod annotations that CRI-O copies
/// into the OCI config), so they alone prove nothing. The agent counts a
/// container as guarded only when the hook recorded the same stamp here for
/// that container id (``verified(container:claimed:stateDirectory:)``),
/// including the random token the hook writes at each start: a creator who
/// copies the policy and digest annotations (they survive a restart without
/// the hook) cannot know the token of a start that has not happened.
public enum HookStampLedger {
    public static let directoryName = "stamps"

    struct Record: Codable, Equatable {
        var policy: String
        var digest: String
        var token: String?
    }

    /// A fresh token for one start of a container: 128 random bits in hex.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        let hex = String(high, radix: 16) + "-" + String(low, radix: 16)
        return hex
    }

    /// A full container id: 64 lowercase hex digits (nothing else names a file here).
    static func isContainerID(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Records that the hook gave `container` the profile `stamp`.
    public static func record(_ stamp: ProfileStamp, container: String, stateDirectory: String) throws(DeliveryFiles.Failure) {
        guard isContainerID(container) else { throw DeliveryFiles.Failure(message: "no stamp recorded: '\(container)' is no container id") }
        let dir = stateDirectory + "/" + directoryName
        try DeliveryFiles.makeDirectory(dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Record(policy: stamp.policy, digest: stamp.digest, token: stamp.token))) ?? Data()
        try DeliveryFiles.writeAtomically(data, to: "\(dir)/\(container).json")
    }

    /// `claimed` when the hook recorded exactly it for `container` under a
    /// trusted `stateDirectory`; nil otherwise (no record, another stamp, an
    /// untrusted directory or file).
    public static func verified(container: String, claimed: ProfileStamp?, stateDirectory: String) -> ProfileStamp? {
        guard let claimed, isContainerID(container) else { return nil }
        do throws(StateDirectoryTrust.Refusal) {
            try StateDirectoryTrust.check(directory: stateDirectory + "/" + directoryName)
        } catch {
            return nil
        }
        let path = "\(stateDirectory)/\(directoryName)/\(container).json"
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        do throws(StateDirectoryTrust.Refusal) {
            try StateDirectoryTrust.check(file: fd, path: path)
        } catch {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 4097)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0, n < buffer.count,
            let record = try? JSONDecoder().decode(Record.self, from: Data(buffer[..<n])),
            claimed.token != nil,
            record == Record(policy: claimed.policy, digest: claimed.digest, token: claimed.token)
        else { return nil }
        return claimed
    }

    /// Removes the records of containers not in `keep` that are older than
    /// `age` seconds (a container created but not started yet keeps its record).
    public static func prune(keeping keep: Set<String>, olderThan age: Double, stateDirectory: String) {
        let dir = stateDirectory + "/" + directoryName
        let now = Date().timeIntervalSince1970
        for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where file.hasSuffix(".json") {
            let id = String(file.dropLast(5))
            guard isContainerID(id), !keep.contains(id) else { continue }
            var st = stat()
            guard lstat("\(dir)/\(file)", &st) == 0, now - Double(st.st_mtim.tv_sec) > age else { continue }
            unlink("\(dir)/\(file)")
        }
    }
}
