import ArgumentParser

/// The `callguard` command: audits the syscalls of containers against per-image
/// allowlists. Each subcommand is a thin shell over the library targets.
@main
struct Callguard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callguard",
        abstract: "Audit the syscalls of containers against per-image allowlists.",
        version: CallguardVersion.string,
        subcommands: [Run.self, Check.self, Rules.self, Replay.self, Seccomp.self, Learn.self]
    )
}

/// The version printed by `--version` and carried in CEF/LEEF headers.
enum CallguardVersion {
    static let string = "0.1.0"
}
