import Foundation
import Glibc

/// The built `callguard` executable running `run` (or another subcommand) as a
/// child of the test, with its stdout and stderr in files; signalled as an
/// operator or systemd would.
final class AgentProcess {
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("callguard").path

    struct Failure: Error, CustomStringConvertible { var description: String }

    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private var exitStatus: Int32?

    /// Starts `callguard SUBCOMMAND ARGS` and waits until its stderr shows
    /// `readyMarker` (for `run`: that it reads the audit stream).
    init(
        _ arguments: [String], directory: String, tag: String = "agent", subcommand: String = "run",
        readyMarker: String = "reading the audit stream"
    ) throws {
        stdoutPath = "\(directory)/\(tag).out"
        stderrPath = "\(directory)/\(tag).err"
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = [Self.executable, subcommand] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, Self.executable, &actions, &attributes, &cArgs, environ)
        guard rc == 0 else { throw Failure(description: "cannot start \(Self.executable): errno \(rc)") }
        pid = child
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            if stderr.contains(readyMarker) { return }
            if hasExited { throw Failure(description: "callguard \(subcommand) exited at start-up: \(stderr)") }
            usleep(100_000)
        }
        throw Failure(description: "callguard \(subcommand) did not start within 30 s: \(stderr)")
    }

    deinit { kill() }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Whether the process has exited (reaps it when it has).
    var hasExited: Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = status
            return true
        }
        return false
    }

    /// Sends `signal`.
    func send(_ signal: Int32) { if !hasExited { Glibc.kill(pid, signal) } }

    /// Sends SIGTERM and waits up to `timeout` seconds; returns the wait status, or nil if it is still running.
    @discardableResult
    func terminate(timeout: Double = 20) -> Int32? {
        send(SIGTERM)
        return wait(timeout: timeout)
    }

    /// Waits up to `timeout` seconds for the process to exit.
    func wait(timeout: Double) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if hasExited { return exitStatus }
            usleep(50_000)
        }
        return nil
    }

    /// SIGKILL, if it still runs (a crash, as far as the kernel is concerned).
    func kill() {
        guard !hasExited else { return }
        Glibc.kill(pid, SIGKILL)
        _ = wait(timeout: 10)
    }
}
