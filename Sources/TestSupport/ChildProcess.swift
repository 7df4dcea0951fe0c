import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way tests start programs (`callguard`, python3, openssl, rsyslogd,
/// podman, dockerd and the like): `run` to the end with the output back, or
/// in the background as a ``RunningChild`` (or `spawn` for a bare pid).
///
/// Children are started with posix_spawn, an empty signal mask and every
/// signal at its default: Foundation's `Process` hands a child the spawning
/// thread's mask (SIGTERM may be blocked there, and a daemon then never
/// stops), and never noticed `podman run -d` exiting while its conmon kept the
/// inherited pipes open. Output therefore goes through files, not pipes.
public enum ChildProcess {
    /// How a run ended.
    public struct Output: Sendable {
        /// The exit status, or 128 + the signal that ended the child.
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Where one of a spawned child's output streams goes.
    public enum Destination: Sendable {
        /// /dev/null.
        case discard
        /// The file at the path, created or emptied first.
        case file(String)
        /// The end of the file at the path (created if missing).
        case appending(String)
        /// Wherever standard output goes (for standard error only).
        case standardOutput
    }

    /// The program could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { "cannot start \(path): \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// Runs `path` with `arguments` (in `directory`, with `stdin` as standard
    /// input, if given) and waits for it.
    public static func run(
        _ path: String, _ arguments: [String], in directory: String? = nil, stdin: String = "/dev/null",
        environment: [String: String]? = nil
    ) throws -> Output {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("callguard-child-\(UUID().uuidString)").path
        let outPath = base + ".out"
        let errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let pid = try spawn(
            path, arguments, in: directory, stdin: stdin, stdout: .file(outPath), stderr: .file(errPath),
            environment: environment)
        let status = wait(pid: pid)
        return Output(
            status: status,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }

    /// Starts `path` with `arguments` in the background and returns its pid;
    /// the caller reaps it (``wait(pid:)``); ``RunningChild`` does that for it.
    /// `environment` replaces this process's environment when given.
    public static func spawn(
        _ path: String, _ arguments: [String], in directory: String? = nil, stdin: String = "/dev/null",
        stdout: Destination = .discard, stderr: Destination = .discard, environment: [String: String]? = nil
    ) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        for (fd, destination) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch destination {
            case .discard: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let p): posix_spawn_file_actions_addopen(&actions, fd, p, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .appending(let p): posix_spawn_file_actions_addopen(&actions, fd, p, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, fd)
            }
        }
        // Only 0, 1 and 2: a descriptor another test thread holds open (a script
        // it is writing, a pipe) must not leak into this child, where it made
        // exec fail with ETXTBSY and kept pipes from reaching end-of-file.
        guard let closeFrom = addCloseFrom else { throw SpawnError(path: path, code: ENOSYS) }
        _ = closeFrom(&actions, 3)
        if let directory {
            guard let addchdir = addChdir else { throw SpawnError(path: path, code: ENOSYS) }
            _ = addchdir(&actions, directory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = envp.map { env in env.withUnsafeBufferPointer { posix_spawn(&pid, path, &actions, &attributes, argv, $0.baseAddress) } }
            ?? posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw SpawnError(path: path, code: rc) }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Glibc's
    /// module map leaves out (it needs _GNU_SOURCE).
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+; Debian 12 has 2.36).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Waits for the child `pid` to end and reaps it: its exit status, or 128 + the signal that ended it.
    public static func wait(pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitCode(status)
    }

    /// A `waitpid` status as a shell reports it: the exit status, or 128 + the signal.
    public static func exitCode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The absolute path of the executable `name` on the PATH or in the usual
    /// system directories (`swift test` may run with a PATH that lacks them);
    /// `name` itself when it is an absolute path to an executable.
    public static func executable(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
