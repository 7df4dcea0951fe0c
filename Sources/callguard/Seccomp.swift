import ArgumentParser
import Foundation
import PolicyKit

/// `callguard seccomp POLICY`: writes a policy as an OCI seccomp profile
/// (JSON, defaultAction SCMP_ACT_ERRNO) for `podman run --security-opt seccomp=FILE`.
struct Seccomp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a policy as an OCI seccomp profile (JSON) on standard output.")

    @Argument(help: "A policy's metadata.name in the policies directory, or a policy file's path.")
    var policy: String

    @OptionGroup var policies: PoliciesOptions

    @Option(name: .shortAndLong, help: "Write the profile to this file instead of standard output.")
    var output: String?

    func run() async throws {
        var options = policies
        var isDir: ObjCBool = false
        let isFile = FileManager.default.fileExists(atPath: policy, isDirectory: &isDir) && !isDir.boolValue
        if isFile {
            // A file: load its directory (so includes by name resolve) and pick the file's policy.
            options.directory = policy.lastIndex(of: "/").map { String(policy[..<$0]) } ?? "."
        }
        let set = try options.loadOrExit()
        let wanted = URL(fileURLWithPath: policy).standardizedFileURL.path
        let found =
            isFile
            ? set.policiesByName.values.first { URL(fileURLWithPath: $0.file).standardizedFileURL.path == wanted }
            : set.policy(named: policy)
        guard let compiled = found else {
            let known = set.policiesByName.keys.sorted().joined(separator: ", ")
            PolicyCommandOutput.stderr(
                "callguard: no policy '\(policy)' in \(options.resolvedDirectory) (policies: \(known))\n")
            throw ExitCode(2)
        }
        let json = SeccompProfileExporter().export(compiled)
        if let output {
            do {
                try Data(json.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                PolicyCommandOutput.stderr("callguard: cannot write \(output): \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
        } else {
            print(json, terminator: "")
        }
    }
}
