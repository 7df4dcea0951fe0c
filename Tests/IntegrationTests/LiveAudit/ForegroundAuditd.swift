import AuditKit
import Foundation
import TestSupport

/// Debian's auditd run in the foreground by a test, with its own config and
/// log under a temporary directory; registered as the kernel's audit daemon
/// until ``stop()``.
final class ForegroundAuditd {
    let directory: URL
    private var process: SpawnedProcess?
    var logFile: URL { directory.appendingPathComponent("audit.log") }

    static var available: Bool { RequireIntegration.hasExecutable("auditd") }

    /// Starts auditd and waits until the kernel lists it as the audit daemon.
    init() throws {
        directory = try LiveAudit.temporaryDirectory("auditd")
        let plugins = directory.appendingPathComponent("plugins.d")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        let conf = """
            local_events = yes
            write_logs = yes
            log_file = \(logFile.path)
            log_group = root
            log_format = RAW
            flush = INCREMENTAL_ASYNC
            freq = 20
            max_log_file = 8
            num_logs = 1
            priority_boost = 0
            name_format = NONE
            max_log_file_action = IGNORE
            space_left = 2
            space_left_action = IGNORE
            admin_space_left = 1
            admin_space_left_action = IGNORE
            disk_full_action = IGNORE
            disk_error_action = IGNORE
            use_libwrap = no
            plugin_dir = \(plugins.path)
            q_depth = 2000
            overflow_action = IGNORE
            end_of_event_timeout = 2

            """
        let confFile = directory.appendingPathComponent("auditd.conf")
        try conf.write(to: confFile, atomically: true, encoding: .utf8)
        chmod(confFile.path, 0o640)
        chmod(directory.path, 0o750)
        let process = try SpawnedProcess("/usr/sbin/auditd", ["-f", "-n", "-s", "nochange", "-c", directory.path])
        self.process = process
        let control = try AuditControl()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try control.status().pid == UInt32(process.pid) { return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        stop()
        throw AuditdDidNotStart(directory: directory.path)
    }

    var pid: Int32 { process?.pid ?? 0 }

    /// Stops auditd (SIGTERM, then SIGKILL) and removes its directory.
    func stop() {
        process?.terminate()
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// auditd did not register with the kernel within the time allowed.
struct AuditdDidNotStart: Error, CustomStringConvertible {
    var directory: String
    var description: String { "auditd -f -n -c \(directory) did not register as the audit daemon within 10 s" }
}
