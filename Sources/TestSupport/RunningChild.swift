import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child a test started in the background (``ChildProcess/spawn(_:_:in:stdin:stdout:stderr:environment:)``)
/// and stops itself: signalled, waited for with a timeout, reaped once. A child
/// still running when this is released is killed (SIGKILL) and reaped, so that
/// a failing test leaves no process behind.
public final class RunningChild: @unchecked Sendable {
    /// The child's pid (valid until it is reaped).
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `path`; the parameters are those of ``ChildProcess/spawn(_:_:in:stdin:stdout:stderr:environment:)``.
    public init(
        _ path: String, _ arguments: [String], in directory: String? = nil, stdin: String = "/dev/null",
        stdout: ChildProcess.Destination = .discard, stderr: ChildProcess.Destination = .discard,
        environment: [String: String]? = nil
    ) throws(ChildProcess.SpawnError) {
        pid = try ChildProcess.spawn(
            path, arguments, in: directory, stdin: stdin, stdout: stdout, stderr: stderr, environment: environment)
    }

    deinit { kill() }

    /// The exit status (128 + the signal when a signal ended it), once it has
    /// exited; -1 when someone else reaped it.
    public var exitStatus: Int32? {
        lock.withLock {
            if status == nil {
                var raw: Int32 = 0
                let reaped = waitpid(pid, &raw, WNOHANG)
                if reaped == pid {
                    status = ChildProcess.exitCode(raw)
                } else if reaped < 0 && errno == ECHILD {
                    status = -1  // reaped elsewhere: gone, with its status unknown here
                }
            }
            return status
        }
    }

    /// Whether the child has not exited yet (reaps it when it has).
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` while the child runs (never to a reaped pid).
    public func send(_ signal: Int32) {
        lock.withLock { if status == nil { _ = Glibc.kill(pid, signal) } }
    }

    /// Waits up to `timeout` seconds for the child to exit: its exit status, or nil while it still runs.
    @discardableResult
    public func wait(timeout: Double) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        repeat {
            if let s = exitStatus { return s }
            usleep(20_000)
        } while Date() < deadline
        return exitStatus
    }

    /// SIGTERM, then SIGKILL once `grace` seconds have passed; reaped either way.
    @discardableResult
    public func terminate(grace: Double = 5) -> Int32? {
        send(SIGTERM)
        if let s = wait(timeout: grace) { return s }
        kill()
        return exitStatus
    }

    /// SIGKILL while it runs (a crash, as far as anyone can tell), and reaped.
    public func kill() {
        send(SIGKILL)
        lock.withLock {
            guard status == nil else { return }
            status = ChildProcess.wait(pid: pid)
        }
    }
}
