import Foundation

/// Serialises tests that change kernel audit state (the audit pid, rules,
/// the enabled flag) across suites and test processes.
///
/// Only one process can be the registered audit daemon, and rules of one test
/// would show up in another's stream. Swift Testing runs suites in parallel, so
/// every such test body runs inside ``withLock(_:)``. The lock is an advisory
/// `flock` on a file under /run, polled without blocking the cooperative pool.
public enum KernelAuditLock {
    static let path = "/run/callguard-tests-kernel-audit.lock"

    /// Runs `body` while holding the machine-wide kernel-audit test lock.
    public static func withLock<T>(_ body: () async throws -> T) async throws -> T {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot open \(path): errno \(errno)")
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}
