import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one rsyslog harness: Debian's rsyslogd run by a test in the
/// foreground with a configuration the test wrote, its own pid file and its
/// standard error in a log file; started again after a stop if asked, and
/// never left behind (stopped on release).
///
/// Integration tests only: `make unit-test` starts no daemon.
public final class Rsyslogd: @unchecked Sendable {
    /// Debian's rsyslogd.
    public static let executable = "/usr/sbin/rsyslogd"

    /// Whether rsyslogd is installed.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Whether rsyslog's loadable module `name` (`lmnsd_gtls`, `imrelp`) is installed.
    public static func hasModule(_ name: String) -> Bool {
        ["x86_64-linux-gnu", "aarch64-linux-gnu"].contains {
            FileManager.default.fileExists(atPath: "/usr/lib/\($0)/rsyslog/\(name).so")
        }
    }

    /// The daemon did not come up.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let configuration: String
    public let pidFile: String
    /// rsyslogd's standard error (appended to across restarts).
    public let log: String
    private var child: RunningChild?

    public init(configuration: String, pidFile: String, log: String) {
        self.configuration = configuration
        self.pidFile = pidFile
        self.log = log
    }

    deinit { child?.kill() }

    /// `rsyslogd -N1`: whether `configuration` passes rsyslogd's own validation.
    public static func validate(_ configuration: String) throws -> ChildProcess.Output {
        try ChildProcess.run(executable, ["-N1", "-f", configuration])
    }

    /// What rsyslogd wrote to standard error.
    public var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Whether it runs (reaps it when it has exited).
    public var isRunning: Bool { child?.isRunning ?? false }

    /// Starts rsyslogd and waits (up to `timeout` seconds) until `ready`
    /// holds; throws with its output when it exits first or never gets ready.
    public func start(timeout: Double = 10, until ready: () -> Bool) throws {
        guard !isRunning else { return }
        child = try RunningChild(
            Self.executable, ["-n", "-f", configuration, "-i", pidFile], stderr: .appending(log))
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if ready() { return }
            if !isRunning { break }
            usleep(20_000)
        }
        stop(grace: 0)
        throw Failure(description: "rsyslogd -f \(configuration) did not come up within \(timeout) s: \(output)")
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; reaped.
    public func stop(grace: Double = 10) {
        child?.terminate(grace: grace)
        child = nil
    }

    /// `kill -9`: rsyslogd gets no chance to finish anything; reaped at once.
    public func kill9() {
        child?.kill()
        child = nil
    }
}

/// Ports on 127.0.0.1, for daemons a test starts.
public enum LoopbackPort {
    /// Whether something accepts TCP connections on `port`.
    public static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in(port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Whether both TCP and UDP `port` can be bound now.
    public static func isFree(_ port: UInt16) -> Bool {
        for type in [Int32(SOCK_STREAM.rawValue), Int32(SOCK_DGRAM.rawValue)] {
            let fd = socket(AF_INET, type, 0)
            defer { close(fd) }
            var address = sockaddr_in(port)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 { return false }
        }
        return true
    }

    /// `count` distinct ports below the kernel's ephemeral range that were
    /// free (TCP and UDP) a moment ago. Not from the ephemeral range: any
    /// outgoing connection on the machine (another test's, podman's) may take
    /// such a port between this check and the daemon's bind.
    public static func free(_ count: Int) -> [UInt16] {
        let ephemeralStart = ephemeralRangeStart()
        var ports: [UInt16] = []
        while ports.count < count {
            let p = UInt16.random(in: 10000...max(10001, ephemeralStart - 1))
            if !ports.contains(p) && isFree(p) { ports.append(p) }
        }
        return ports
    }

    /// The first port of `net.ipv4.ip_local_port_range` (Linux's default 32768).
    static func ephemeralRangeStart() -> UInt16 {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { UInt16($0) } ?? 32768
    }

    /// Waits up to `timeout` seconds until `port` accepts TCP connections.
    public static func waitUntilAccepting(_ port: UInt16, timeout: Double = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        repeat {
            if accepts(port) { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }
}

extension sockaddr_in {
    fileprivate init(_ port: UInt16) {
        self.init()
        sin_family = sa_family_t(AF_INET)
        sin_port = port.bigEndian
        sin_addr.s_addr = inet_addr("127.0.0.1")
    }
}
