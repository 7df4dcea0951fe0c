import Glibc

/// Tells systemd that the agent is ready and alive (`sd_notify` protocol:
/// datagrams to `$NOTIFY_SOCKET`). Without systemd it does nothing.
final class SystemdNotifier: @unchecked Sendable {
    private let fd: Int32
    private var address = sockaddr_un()
    private var addressLength: socklen_t = 0
    /// Seconds between watchdog pings (half of `$WATCHDOG_USEC`), or nil without a watchdog.
    let watchdogInterval: Double?
    private var lastPing: Double = 0

    init() {
        let environment = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        if let usec = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let value = Double(usec), value > 0 {
            watchdogInterval = value / 2_000_000
        } else {
            watchdogInterval = nil
        }
        guard let path = environment, !path.isEmpty, path.utf8.count < 107 else {
            fd = -1
            return
        }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends `state` ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...").
    func notify(_ state: String) {
        guard fd >= 0 else { return }
        var text = state
        text.withUTF8 { bytes in
            withUnsafePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    _ = sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), sa, addressLength)
                }
            }
        }
    }

    /// Pings the watchdog if its interval has passed; called from the reader loop,
    /// so a stuck reader stops the pings and systemd restarts the agent.
    func pingIfDue(now: Double) {
        guard let interval = watchdogInterval, now - lastPing >= interval else { return }
        lastPing = now
        notify("WATCHDOG=1")
    }
}
