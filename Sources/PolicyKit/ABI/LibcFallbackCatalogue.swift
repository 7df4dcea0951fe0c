/// What glibc and musl do when the kernel answers ENOSYS to a syscall they
/// issue: fall back to an older syscall (statx → fstatat), carry on without it
/// (rseq), or pass the error on. Written by hand from the libraries' sources;
/// each entry names the function that does it, its file, and the first release
/// with that behaviour.
///
/// An allowlist mixes the library's own calls with the program's: a program
/// that calls `syscall(SYS_statx, …)` itself gets ENOSYS whatever its libc does.
/// A fallback here says the library's use is absorbed, which is why these
/// syscalls appear in nearly every policy.
public struct LibcFallback: Sendable, Hashable {
    /// The syscall the library tries first (the kernel's name).
    public let syscall: String
    public let family: LibcIdentity.Family
    /// The first release that behaves so (and, for a fallback, the first that issues the syscall at all).
    public let since: LibcVersion
    /// Whether ENOSYS is absorbed (false: documented here because it is not).
    public let fallsBack: Bool
    /// What it falls back to, in words ("fstatat", "a scan of /proc/self/fd").
    public let to: String
    /// Syscalls the fallback needs (those not on the arch asked about are ignored).
    public let requires: [String]
    /// The function that does it and its source file.
    public let function: String
    /// Anything an operator should know.
    public let note: String

    /// "statx → fstatat, glibc ≥ 2.28".
    public var summary: String { "\(syscall) → \(to), \(family.rawValue) ≥ \(since)" }
}

/// The fallback catalogue.
public enum LibcFallbackCatalogue {
    /// Every entry, by syscall then library.
    public static let entries: [LibcFallback] = [
        LibcFallback(
            syscall: "statx", family: .glibc, since: LibcVersion(2, 28), fallsBack: true, to: "fstatat",
            requires: ["newfstatat", "fstatat64"],
            function: "statx() in sysdeps/unix/sysv/linux/statx.c, via statx_generic() (statx_generic.c, fstatat64)",
            note: "no fallback in a glibc built for a minimum kernel of 4.11 or later (__ASSUME_STATX)"),
        LibcFallback(
            syscall: "statx", family: .musl, since: LibcVersion(1, 2, 5), fallsBack: true, to: "fstatat",
            requires: ["newfstatat", "fstatat64"], function: "statx() in src/linux/statx.c",
            note: "the wrapper first appeared in musl 1.2.5"),
        LibcFallback(
            syscall: "clone3", family: .glibc, since: LibcVersion(2, 34), fallsBack: true, to: "clone",
            requires: ["clone"],
            function: "__clone_internal() in sysdeps/unix/sysv/linux/clone-internal.c (pthread_create, posix_spawn)",
            note: ""),
        LibcFallback(
            syscall: "faccessat2", family: .glibc, since: LibcVersion(2, 33), fallsBack: true, to: "faccessat",
            requires: ["faccessat"], function: "faccessat() in sysdeps/unix/sysv/linux/faccessat.c",
            note: "flags other than 0 are emulated with fstatat64"),
        LibcFallback(
            syscall: "faccessat2", family: .musl, since: LibcVersion(1, 0), fallsBack: false, to: "",
            requires: [], function: "faccessat() in src/unistd/faccessat.c",
            note: "musl never issues faccessat2 (AT_EACCESS is checked in a child process): the program calls it itself"),
        LibcFallback(
            syscall: "rseq", family: .glibc, since: LibcVersion(2, 35), fallsBack: true,
            to: "no rseq registration", requires: [],
            function: "rseq_register_current_thread() in sysdeps/unix/sysv/linux/rseq-internal.h",
            note: "a failed registration is recorded (cpu_id = RSEQ_CPU_ID_REGISTRATION_FAILED) and the thread runs on"),
        LibcFallback(
            syscall: "close_range", family: .glibc, since: LibcVersion(2, 34), fallsBack: true,
            to: "a scan of /proc/self/fd", requires: ["openat", "getdents64", "close"],
            function: "closefrom() in sysdeps/unix/sysv/linux/closefrom.c, via __closefrom_fallback()",
            note: "only through closefrom(); a direct close_range() call gets ENOSYS"),
        LibcFallback(
            syscall: "clock_gettime64", family: .musl, since: LibcVersion(1, 2, 0), fallsBack: true,
            to: "clock_gettime", requires: ["clock_gettime"],
            function: "__clock_gettime() in src/time/clock_gettime.c", note: "32-bit arches (time64)"),
        LibcFallback(
            syscall: "getrandom", family: .glibc, since: LibcVersion(2, 25), fallsBack: false, to: "", requires: [],
            function: "getrandom() in sysdeps/unix/sysv/linux/getrandom.c",
            note: "getrandom() passes ENOSYS on; only malloc's own call (tcache_key_initialize() in malloc/malloc.c, "
                + "glibc ≥ 2.34) tolerates it"),
        LibcFallback(
            syscall: "prlimit64", family: .glibc, since: LibcVersion(2, 32), fallsBack: false, to: "", requires: [],
            function: "__getrlimit64() in sysdeps/unix/sysv/linux/getrlimit64.c",
            note: "getrlimit()/setrlimit() issue prlimit64 with no fallback (glibc's minimum kernel, 3.2, has it)"),
    ]

    /// The entries for `syscall` (kernel name).
    public static func entries(for syscall: String) -> [LibcFallback] {
        entries.filter { $0.syscall == syscall }
    }

    /// The entry that absorbs ENOSYS for `syscall` under `libc`, when there is one.
    /// A libc whose version is unknown is taken to be one that issues the syscall
    /// (every fallback here arrived with the library's first use of the syscall).
    public static func fallback(for syscall: String, libc: LibcIdentity) -> LibcFallback? {
        guard let family = libc.family else { return nil }
        return entries.first { e in
            e.syscall == syscall && e.family == family && e.fallsBack && libc.version.map { $0 >= e.since } ?? true
        }
    }
}
