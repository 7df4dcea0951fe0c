import Foundation
import PolicyKit

/// Writes what learning observed as a policy file, merging with the file
/// already there: the union of the syscalls with counts added (see
/// ``LearnedPolicy/merge(_:)``). The file is replaced atomically and must
/// load with PolicyKit afterwards.
public enum LearnOutput {
    /// The policy for one run's observation of `image`.
    public static func policy(image: String, observation: LearnObservation, date: Date = Date()) -> LearnedPolicy {
        let seconds = Int(observation.seconds.rounded())
        let stamp = ISO8601DateFormatter().string(from: date)
        return LearnedPolicy(
            name: LearnedPolicy.name(forImage: image), images: [image], counts: observation.counts,
            lastRun: "\(stamp), \(seconds) s, image \(image), \(observation.containers.count) container(s), \(observation.events) syscall event(s)"
        )
    }

    /// Merges `policy` with the file at `path` when there is one, writes the
    /// result there and returns it. Throws when the existing file cannot be
    /// merged (it is left as it was) or the file cannot be written.
    @discardableResult
    public static func write(_ policy: LearnedPolicy, to path: String) throws(LearnError) -> LearnedPolicy {
        var result = policy
        if FileManager.default.fileExists(atPath: path) {
            result.merge(try LearnedPolicy.read(path: path))
        }
        guard !result.counts.isEmpty else {
            throw LearnError("no syscall was observed, so there is no policy to write to \(path)", isUsage: false)
        }
        let text = result.yaml
        let problems = PolicyCheck.errors(path: path, text: Array(text.utf8))
        guard problems.isEmpty else {
            let errors = problems.map(\.description).joined(separator: "\n")
            throw LearnError("the learned policy does not load, so it was not written to \(path):\n\(errors)", isUsage: false)
        }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw LearnError("cannot write \(path): \(error.localizedDescription); check the directory exists and is writable")
        }
        return result
    }
}
