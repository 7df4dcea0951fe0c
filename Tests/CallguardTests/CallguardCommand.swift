import Foundation
import TestSupport

/// Runs the built `callguard` executable (next to the test bundle) with an
/// argument list, as a user would: standard output, standard error and the
/// exit status come back.
enum CallguardCommand {
    /// What one run printed and how it exited.
    typealias Result = ChildProcess.Output

    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("callguard").path

    /// Runs `callguard ARGS` with standard input from `stdin` (a path) or /dev/null.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        try ChildProcess.run(executable, arguments, stdin: stdin ?? "/dev/null")
    }
}
