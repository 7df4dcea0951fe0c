import Foundation
import PolicyKit

/// Whether a policy text loads with PolicyKit: on its own, or else beside the
/// other policy files of its directory (so that `include: [busybox]` by name
/// resolves). Only errors in the file itself count; the others' are not
/// learn's business.
enum PolicyCheck {
    /// The errors of the policy `text` to be stored at `path` (empty when it loads).
    static func errors(path: String, text: [UInt8]) -> [Diagnostic] {
        let alone = PolicyLoader().load(sources: [PolicySource(path: path, bytes: text)])
        guard alone.set == nil else { return [] }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let siblings = try? PolicyLoader.policyFiles(in: directory) else { return alone.errors }
        var sources = [PolicySource(path: path, bytes: text)]
        for sibling in siblings where URL(fileURLWithPath: sibling).lastPathComponent != url.lastPathComponent {
            if let data = FileManager.default.contents(atPath: sibling) {
                sources.append(PolicySource(path: sibling, bytes: [UInt8](data)))
            }
        }
        let beside = PolicyLoader().load(sources: sources)
        let own = beside.errors.filter { URL(fileURLWithPath: $0.file).lastPathComponent == url.lastPathComponent }
        return beside.set != nil ? [] : own
    }
}
