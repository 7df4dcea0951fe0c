import ArgumentParser
import Glibc

/// The `callguard` command: audits the syscalls of containers against per-image
/// allowlists. Each subcommand is a thin shell over the library targets.
@main
struct Callguard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callguard",
        abstract: "Audit the syscalls of containers against per-image allowlists.",
        version: CallguardVersion.string,
        subcommands: [Run.self, Check.self, Rules.self, Replay.self, Seccomp.self, Abi.self, Learn.self, OciHook.self, Hook.self, OciRuntime.self]
    )

    /// Runs the command line; a usage error (unknown option, missing or bad
    /// value) exits 2 as DESIGN.md says, not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// The version printed by `--version` and carried in CEF/LEEF headers.
enum CallguardVersion {
    static let string = "0.1.0"
}
