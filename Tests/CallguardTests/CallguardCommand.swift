import Foundation
import TestSupport

/// Runs the built `callguard` executable (next to the test bundle) with an
/// argument list, as a user would: standard output, standard error and the
/// exit status come back.
enum CallguardCommand {
    /// What one run printed and how it exited.
    typealias Result = ChildProcess.Output

    /// Runs `callguard ARGS` with standard input from `stdin` (a path) or /dev/null.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        try ChildProcess.run(Repository.callguard, arguments, stdin: stdin ?? "/dev/null")
    }
}

/// `callguard ARGS`, as ``CallguardCommand/run(_:stdin:)``.
func callguard(_ arguments: [String]) throws -> CallguardCommand.Result {
    try CallguardCommand.run(arguments)
}
