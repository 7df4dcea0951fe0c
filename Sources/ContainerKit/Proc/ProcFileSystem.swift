import CProcWatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``ProcSource`` over a directory laid out like `/proc`: the real `/proc`
/// (the default), or a fixture directory holding `<pid>/stat` and `<pid>/cgroup`.
///
/// Both files are read relative to one open descriptor of `<root>/<pid>`: if
/// the process exits and its pid is reused in between, the reads through the
/// old descriptor fail (ESRCH) instead of mixing two processes.
///
/// On the real `/proc`, exits are watched with pidfds in one epoll set
/// (``PidfdExitWatcher``); a fixture directory has no processes to watch.
public final class ProcFileSystem: ProcSource {
    /// The directory standing for `/proc`.
    public let root: String
    private var buffer: [UInt8]
    private lazy var watcher: PidfdExitWatcher? = root == "/proc" ? PidfdExitWatcher() : nil

    public init(root: String = "/proc") {
        self.root = root
        self.buffer = [UInt8](repeating: 0, count: 8192)
    }

    public func watchExit(pid: Int32) -> Bool {
        guard pid > 0, let watcher else { return false }
        return watcher.watch(pid: pid)
    }

    public func unwatchExit(pid: Int32) { watcher?.unwatch(pid: pid) }

    public func exitedSinceWatch(pid: Int32) -> Bool { watcher?.exited(pid: pid) ?? true }

    public func collectExits(_ body: (Int32) -> Void) { watcher?.collect(body) }

    /// Processes watched by pidfd now (0 for a fixture directory).
    public var watchedProcesses: Int { watcher?.count ?? 0 }

    private let nanosecondsPerTick: UInt64 = {
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return hz > 0 ? 1_000_000_000 / UInt64(hz) : 10_000_000
    }()

    public func ticksSinceBoot() -> UInt64 {
        var now = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &now) == 0 else { return 0 }
        return (UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)) / nanosecondsPerTick
    }

    /// The real `/proc` only: a fixture directory's start times are not this boot's.
    /// `CLOCK_BOOTTIME` is read on both sides of `CLOCK_REALTIME` and the
    /// midpoint taken, so a preemption between the reads costs at most half its length.
    public func wallClock() -> WallClockReading? {
        guard root == "/proc" else { return nil }
        var before = timespec()
        var wall = timespec()
        var after = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &before) == 0, clock_gettime(CLOCK_REALTIME, &wall) == 0,
            clock_gettime(CLOCK_BOOTTIME, &after) == 0
        else { return nil }
        func ms(_ t: timespec) -> Int64 { Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000 }
        let boot = (ms(before) + ms(after)) / 2
        let tick = max(1, nanosecondsPerTick / 1_000_000)
        return WallClockReading(wallMillisecondsAtBoot: ms(wall) - boot, wallMillisecondsNow: ms(wall), millisecondsPerTick: tick)
    }

    public func isGone(pid: Int32) -> Bool {
        guard pid > 0 else { return true }
        if root == "/proc" { return kill(pid, 0) != 0 && errno == ESRCH }
        return access("\(root)/\(pid)", F_OK) != 0
    }

    public func seccomp(pid: Int32) -> SeccompState? {
        guard pid > 0 else { return nil }
        let dir = open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return nil }
        defer { close(dir) }
        return readFile(dir, "status").flatMap { SeccompState.parse(status: $0) }
    }

    public func executable(pid: Int32) -> FileIdentity? {
        guard pid > 0 else { return nil }
        return file(atPath: "\(root)/\(pid)/exe")
    }

    public func arguments(pid: Int32) -> [String]? {
        guard pid > 0 else { return nil }
        let dir = open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return nil }
        defer { close(dir) }
        return readFile(dir, "cmdline").map { $0.split(separator: "\0").map(String.init) }
    }

    public func file(atPath path: String) -> FileIdentity? {
        var device: UInt64 = 0
        var inode: UInt64 = 0
        guard CProcWatch_identity(path, &device, &inode) == 0 else { return nil }
        return FileIdentity(device: device, inode: inode)
    }

    public func snapshot(pid: Int32) -> ProcSnapshot? {
        guard pid > 0 else { return nil }
        let dir = open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return nil }
        defer { close(dir) }
        // The cgroup before the stat line: a stat that shows the process alive
        // proves the cgroup was read while it lived (a zombie's reads as the
        // root on cgroup v1); the directory pins the process.
        guard let cgroup = readFile(dir, "cgroup"), let statText = readFile(dir, "stat"),
            let stat = ProcStat.parse(statText)
        else { return nil }
        return ProcSnapshot(stat: stat, cgroup: cgroup)
    }

    public func stat(pid: Int32) -> ProcStat? {
        guard pid > 0 else { return nil }
        let dir = open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return nil }
        defer { close(dir) }
        return readFile(dir, "stat").flatMap { ProcStat.parse($0) }
    }

    public func allPids() -> [Int32] {
        guard let dir = opendir(root) else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name), pid > 0 { pids.append(pid) }
        }
        return pids
    }

    /// Reads a small file (at most 64 KiB) relative to `dir`; nil on any error.
    private func readFile(_ dir: Int32, _ name: String) -> String? {
        let fd = openat(dir, name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var used = 0
        while true {
            if used == buffer.count {
                guard buffer.count < 65536 else { return nil }
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + used, raw.count - used)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            used += n
        }
        return String(decoding: buffer[..<used], as: UTF8.self)
    }
}
