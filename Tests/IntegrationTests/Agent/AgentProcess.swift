import Foundation
import Glibc
import TestSupport

/// The built `callguard` executable running `run` (or another subcommand) as a
/// child of the test, with its stdout and stderr in files; signalled as an
/// operator or systemd would.
final class AgentProcess {
    static var executable: String { Repository.callguard }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let child: RunningChild
    var pid: pid_t { child.pid }
    let stdoutPath: String
    let stderrPath: String

    /// Starts `callguard SUBCOMMAND ARGS` and waits until its stderr shows
    /// `readyMarker` (for `run`: that it reads the audit stream).
    init(
        _ arguments: [String], directory: String, tag: String = "agent", subcommand: String = "run",
        readyMarker: String = "reading the audit stream"
    ) throws {
        stdoutPath = "\(directory)/\(tag).out"
        stderrPath = "\(directory)/\(tag).err"
        // `run` writes the hook state to /run/callguard unless told otherwise: a
        // test's agent keeps it in the test's own directory.
        let state = subcommand == "run" && !arguments.contains("--state-dir") ? ["--state-dir", "\(directory)/\(tag).state"] : []
        child = try RunningChild(
            Self.executable, [subcommand] + arguments + state, stdout: .file(stdoutPath), stderr: .file(stderrPath))
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            if stderr.contains(readyMarker) { return }
            if hasExited { throw Failure(description: "callguard \(subcommand) exited at start-up: \(stderr)") }
            usleep(100_000)
        }
        throw Failure(description: "callguard \(subcommand) did not start within 30 s: \(stderr)")
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Whether the process has exited (reaps it when it has).
    var hasExited: Bool { !child.isRunning }

    /// Sends `signal`.
    func send(_ signal: Int32) { child.send(signal) }

    /// Sends SIGTERM and waits up to `timeout` seconds; returns the exit status, or nil if it is still running.
    @discardableResult
    func terminate(timeout: Double = 20) -> Int32? {
        send(SIGTERM)
        return wait(timeout: timeout)
    }

    /// Waits up to `timeout` seconds for the process to exit.
    func wait(timeout: Double) -> Int32? { child.wait(timeout: timeout) }

    /// SIGKILL, if it still runs (a crash, as far as the kernel is concerned).
    func kill() { child.kill() }
}
