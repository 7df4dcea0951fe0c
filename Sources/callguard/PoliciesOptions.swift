import ArgumentParser
import Foundation
import PolicyKit

/// The `--policies DIR` and `--profile-dir DIR` options shared by the
/// subcommands that load policies.
struct PoliciesOptions: ParsableArguments {
    @Option(
        name: .customLong("policies"),
        help: "Directory of policy files (*.yaml, *.yml); default ./policies, else /etc/callguard/policies.")
    var directory: String?

    @Option(
        name: .customLong("profile-dir"),
        help: ArgumentHelp(
            "A directory policies may include files from besides the policies directory (repeatable), e.g. /usr/share/containers for podman's seccomp.json.",
            valueName: "dir"))
    var profileDirectories: [String] = []

    /// The loader for these options: includes resolve only inside the policies
    /// directory and the profile directories. Prints and exits 2 when a profile
    /// directory is not a directory (a typo would otherwise only show as refused includes).
    func loaderOrExit() throws -> PolicyLoader {
        for dir in profileDirectories {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                PolicyCommandOutput.stderr("callguard: --profile-dir \(dir) is not a directory; pass an existing directory\n")
                throw ExitCode(2)
            }
        }
        return PolicyLoader(profileDirectories: profileDirectories)
    }

    /// The directory to load: the option, else ./policies when it exists, else the installed one.
    var resolvedDirectory: String {
        if let directory { return directory }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: "policies", isDirectory: &isDir), isDir.boolValue {
            return "policies"
        }
        return "/etc/callguard/policies"
    }

    /// Loads the policy set, or prints every error to stderr and exits 2
    /// (policies that do not load are unusable input for every command but `check`).
    func loadOrExit() throws -> PolicySet {
        let loader = try loaderOrExit()
        let result: PolicyLoadResult
        do {
            result = try loader.load(directory: resolvedDirectory)
        } catch {
            PolicyCommandOutput.stderr("callguard: \(error.description)\n")
            throw ExitCode(2)
        }
        for d in result.diagnostics { PolicyCommandOutput.stderr(d.description + "\n") }
        guard let set = result.set else {
            PolicyCommandOutput.stderr("callguard: policies in \(resolvedDirectory) did not load; run 'callguard check'\n")
            throw ExitCode(2)
        }
        return set
    }
}

/// Writes to the process's standard error.
enum PolicyCommandOutput {
    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
