import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ChildProcess {
    /// Stops the child `pid` that a test started: SIGTERM, then SIGKILL once
    /// `grace` seconds have passed; reaps it either way.
    public static func terminate(pid: pid_t, grace: Double) {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: grace)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { return }
            if Date() > deadline { break }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
