import ArgumentParser
import CallguardAgent
import Foundation
import PolicyKit

/// `callguard seccomp POLICY`: writes the policy's merged seccomp profile (the
/// container runtime's default narrowed to the policy: allowed calls ALLOW,
/// the rest LOG or EPERM, the runtime's denials kept) for
/// `podman run --security-opt seccomp=FILE` or a kubelet Localhost profile.
struct Seccomp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a policy's seccomp profile (JSON) on standard output.",
        discussion: """
            The base is the container runtime's default profile (--base; by default the first of             \(MergedProfileBuilder.hostDefaultCandidates.joined(separator: ", ")) that exists). \
            Syscalls the policy and the base allow stay SCMP_ACT_ALLOW; those the base allows and the \
            policy does not get --action (log: SCMP_ACT_LOG, errno: SCMP_ACT_ERRNO with EPERM; \
            default: the policy's spec.action); what the base denies stays denied. \
            --base none writes the bare allowlist (defaultAction SCMP_ACT_ERRNO) instead. \
            The profile's digest (sha256 of the bytes written) is printed on standard error.
            """)

    @Argument(help: "A policy's metadata.name in the policies directory, or a policy file's path.")
    var policy: String

    @OptionGroup var policies: PoliciesOptions

    @Option(name: .shortAndLong, help: "Write the profile to this file instead of standard output.")
    var output: String?

    @Option(help: "log (SCMP_ACT_LOG) or errno (EPERM) for calls the policy does not allow; default: the policy's spec.action.")
    var action: ProfileAction?

    @Option(help: "The base profile (the runtime's default); 'none' for the bare allowlist. Default: the host runtime's.")
    var base: String?

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
        let json: String
        if base == "none" {
            json = SeccompProfileExporter().export(compiled)
        } else {
            let builder: MergedProfileBuilder
            let source: String
            do {
                (builder, source) = try ProfileDelivery.loadBase(base)
            } catch {
                PolicyCommandOutput.stderr("callguard: \(error.description) (or --base none for the bare allowlist)\n")
                throw ExitCode(2)
            }
            let profile = builder.build(compiled, action: action)
            json = profile.text
            PolicyCommandOutput.stderr(
                "callguard: policy \(compiled.name), action \(profile.action.rawValue), base \(source); digest \(profile.digest)\n")
        }
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

extension ProfileAction: ExpressibleByArgument {}
