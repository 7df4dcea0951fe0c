import CAudit
import Glibc

/// The kernel's audit control interface over one netlink socket: status and
/// settings, the audit daemon registration, and (in `Rules/`) rules.
///
/// Not thread-safe; one owner at a time.
public final class AuditControl {
    /// The control socket. Rule calls go through libaudit on its descriptor.
    public let socket: AuditNetlinkSocket

    /// Test seam: behave as if the kernel's configuration were locked
    /// (enabled=2): status reports it, and changes fail as the kernel would.
    var simulatesLockedConfiguration = false

    /// Opens a control socket.
    public init() throws(AuditError) {
        socket = try AuditNetlinkSocket()
    }

    /// The kernel's current audit status (`AUDIT_GET`).
    public func status() throws(AuditError) -> AuditStatus {
        var raw = audit_status()
        var got = false
        try socket.request(
            type: UInt16(AUDIT_GET), payload: UnsafeRawBufferPointer(start: nil, count: 0), reply: UInt16(AUDIT_GET),
            what: "reading the audit status (AUDIT_GET)") { type, body in
            guard type == UInt16(AUDIT_GET) else { return }
            withUnsafeMutableBytes(of: &raw) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: body.prefix(dst.count)))
            }
            got = true
        }
        guard got else {
            throw AuditError(.protocolError, "reading the audit status: the kernel sent an ACK but no status")
        }
        if simulatesLockedConfiguration { raw.enabled = AuditEnabled.locked.rawValue }
        return AuditStatus(raw)
    }

    /// Applies `change` (`AUDIT_SET`). Throws `.locked` when the configuration is locked.
    public func apply(_ change: AuditSettingsChange) throws(AuditError) {
        if change.isEmpty { return }
        var s = audit_status()
        if let v = change.enabled { s.mask |= UInt32(AUDIT_STATUS_ENABLED); s.enabled = v.rawValue }
        if let v = change.failure { s.mask |= UInt32(AUDIT_STATUS_FAILURE); s.failure = v.rawValue }
        if let v = change.rateLimit { s.mask |= UInt32(AUDIT_STATUS_RATE_LIMIT); s.rate_limit = v }
        if let v = change.backlogLimit { s.mask |= UInt32(AUDIT_STATUS_BACKLOG_LIMIT); s.backlog_limit = v }
        if let v = change.backlogWaitTime {
            s.mask |= UInt32(AUDIT_STATUS_BACKLOG_WAIT_TIME); s.backlog_wait_time = v
        }
        do throws(AuditError) {
            if simulatesLockedConfiguration { throw AuditSocketErrors.refused("changing audit settings", errno: EPERM) }
            try sendSet(s, on: socket, what: "changing audit settings (\(change))")
        } catch where error.errno == EPERM {
            if let st = try? status(), st.isLocked {
                throw AuditError(
                    .locked, errno: EPERM,
                    "cannot change audit settings: the kernel's audit configuration is locked (enabled=2) until reboot")
            }
            throw error
        }
    }

    /// Registers the process owning `eventSocket` as the audit daemon: the
    /// kernel then sends every record to that socket (`AUDIT_SET` pid).
    ///
    /// Fails with `.otherDaemon`, naming the pid, when another live process is registered.
    public func registerDaemon(on eventSocket: AuditNetlinkSocket) throws(AuditError) {
        let me = UInt32(getpid())
        let before = try status()
        if before.pid != 0 && before.pid != me && processExists(before.pid) {
            throw AuditControl.otherDaemonError(before.pid)
        }
        var s = audit_status()
        s.mask = UInt32(AUDIT_STATUS_PID)
        s.pid = me
        do {
            try sendSet(s, on: eventSocket, what: "registering as the audit daemon (AUDIT_SET pid=\(me))")
        } catch where error.errno == EEXIST {
            let holder = (try? status())?.pid ?? before.pid
            throw AuditControl.otherDaemonError(holder)
        }
    }

    /// Unregisters the audit daemon if it is this process (`AUDIT_SET` pid=0).
    /// Does nothing when another process is registered.
    public func unregisterDaemon() throws(AuditError) {
        let st = try status()
        guard st.pid == UInt32(getpid()) else { return }
        var s = audit_status()
        s.mask = UInt32(AUDIT_STATUS_PID)
        s.pid = 0
        try sendSet(s, on: socket, what: "unregistering as the audit daemon (AUDIT_SET pid=0)")
    }

    /// Clears a registration left by an audit daemon that no longer exists
    /// (killed without unregistering). The kernel notices such a daemon only
    /// when it next sends; asking to unregister makes it check now. Returns the
    /// stale pid, or nil when there was none.
    @discardableResult
    public func clearStaleDaemon() throws(AuditError) -> UInt32? {
        let st = try status()
        guard st.pid != 0, !processExists(st.pid) else { return nil }
        var s = audit_status()
        s.mask = UInt32(AUDIT_STATUS_PID)
        s.pid = 0
        try sendSet(s, on: socket, what: "clearing the stale audit daemon pid \(st.pid) (AUDIT_SET pid=0)")
        return st.pid
    }

    static func otherDaemonError(_ pid: UInt32) -> AuditError {
        let name = processName(pid).map { " (\($0))" } ?? ""
        return AuditError(
            .otherDaemon, errno: EEXIST,
            "another audit daemon is registered with the kernel: pid \(pid)\(name); only one process can receive audit records by unicast. Stop it, or run callguard beside it with `--socket multicast`"
        )
    }

    private func sendSet(_ s: audit_status, on sock: AuditNetlinkSocket, what: @autoclosure () -> String)
        throws(AuditError)
    {
        var s = s
        try withUnsafeBytes(of: &s) { (bytes) throws(AuditError) in
            try sock.request(type: UInt16(AUDIT_SET), payload: bytes, what: what())
        }
    }
}

/// Whether a process with `pid` exists.
func processExists(_ pid: UInt32) -> Bool {
    kill(pid_t(pid), 0) == 0 || errno == EPERM
}

/// The `comm` of a process, for messages.
func processName(_ pid: UInt32) -> String? {
    let fd = open("/proc/\(pid)/comm", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = system_close(fd) }
    var buf = [UInt8](repeating: 0, count: 64)
    let n = read(fd, &buf, buf.count)
    guard n > 0 else { return nil }
    return String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: "\n")
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}
