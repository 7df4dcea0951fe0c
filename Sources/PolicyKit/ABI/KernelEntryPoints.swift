import AuditKit

/// Which kernel symbols are a syscall's entry point, per arch and per symbol
/// convention: the names libaudit gives syscalls are mostly the entry point's
/// base name (`openat` → `__x64_sys_openat`), and the exceptions are listed
/// here, read from the kernel's tables (`arch/x86/entry/syscalls/syscall_64.tbl`
/// and `syscall_32.tbl`, `include/uapi/asm-generic/unistd.h` for arm64):
/// x86_64's `stat` is `sys_newstat`, i386's `umount` is `sys_oldumount`, i386's
/// `getuid` is the 16-bit `sys_getuid16`, its `clock_gettime` the time32 one.
public enum KernelEntryPoints {
    /// How the kernel names its syscall entry points.
    public enum Convention: String, Sendable, Codable {
        /// Linux 4.17 and later: pt_regs wrappers `__x64_sys_X`, `__ia32_sys_X`,
        /// `__ia32_compat_sys_X`, `__arm64_sys_X`.
        case ptRegsWrappers = "pt_regs wrappers (Linux 4.17+)"
        /// Before 4.17: `sys_X` (and `SyS_X`, its long-argument wrapper), `compat_sys_X`, `sys32_X`.
        case plain = "sys_/SyS_ entry points (before Linux 4.17)"
    }

    /// The symbol prefixes under which `arch`'s entry points appear.
    static func prefixes(arch: String, convention: Convention, nativeMachine: String) -> [String] {
        switch (convention, arch) {
        case (.ptRegsWrappers, "x86_64"): return ["__x64_sys_"]
        case (.ptRegsWrappers, "i386"):
            return [
                "__ia32_compat_sys_", "__ia32_sys_", "__ia32_compat_sys_ia32_", "__ia32_sys_ia32_",
                "__ia32_compat_sys_x86_",
            ]
        case (.ptRegsWrappers, "aarch64"): return ["__arm64_sys_"]
        case (.ptRegsWrappers, _): return ["sys_"]
        case (.plain, "i386") where nativeMachine == "x86_64": return ["compat_sys_", "sys32_", "SyS_", "sys_"]
        case (.plain, _): return ["SyS_", "sys_"]
        }
    }

    /// The base names to try for libaudit's `name` on `arch`, best first.
    static func bases(of name: String, arch: String) -> [String] {
        var out: [String] = []
        func add(_ s: String) { if !out.contains(s) { out.append(s) } }
        if let special = exceptions[arch]?[name] { special.forEach(add) }
        if arch == "i386" {
            if let v = i386Time32[name] { add(v) }
            if sixteenBit.contains(name) { add(name + "16") }
            if name.hasSuffix("32"), sixteenBit.contains(String(name.dropLast(2))) { add(String(name.dropLast(2))) }
        }
        add(SyscallTable.kernelName(name))
        add(name)
        return out
    }

    /// i386's 64-bit time variants (5.1+), resolved to the entry point they share
    /// with 64-bit arches only when the kernel has the time32/time64 split at all.
    static let i386Time64: [String: String] = [
        "clock_gettime64": "clock_gettime", "clock_settime64": "clock_settime", "clock_adjtime64": "clock_adjtime",
        "clock_getres_time64": "clock_getres", "clock_nanosleep_time64": "clock_nanosleep",
        "timer_gettime64": "timer_gettime", "timer_settime64": "timer_settime",
        "timerfd_gettime64": "timerfd_gettime", "timerfd_settime64": "timerfd_settime",
        "utimensat_time64": "utimensat", "pselect6_time64": "pselect6", "ppoll_time64": "ppoll",
        "io_pgetevents_time64": "io_pgetevents", "recvmmsg_time64": "recvmmsg",
        "mq_timedsend_time64": "mq_timedsend", "mq_timedreceive_time64": "mq_timedreceive",
        "semtimedop_time64": "semtimedop", "rt_sigtimedwait_time64": "rt_sigtimedwait",
        "futex_time64": "futex", "sched_rr_get_interval64": "sched_rr_get_interval",
        "sched_rr_get_interval_time64": "sched_rr_get_interval",
    ]

    /// The symbol (under i386's prefixes) that shows a kernel has the time64 split (5.1+).
    static let time32Marker = "clock_gettime32"

    /// i386's classic time syscalls: since 5.1 their entry point is the `_time32`/`32` one.
    static let i386Time32: [String: String] = [
        "time": "time32", "stime": "stime32", "utime": "utime32", "adjtimex": "adjtimex_time32",
        "sched_rr_get_interval": "sched_rr_get_interval_time32", "nanosleep": "nanosleep_time32",
        "futex": "futex_time32", "io_getevents": "io_getevents_time32", "timer_settime": "timer_settime32",
        "timer_gettime": "timer_gettime32", "clock_settime": "clock_settime32",
        "clock_gettime": "clock_gettime32", "clock_getres": "clock_getres_time32",
        "clock_nanosleep": "clock_nanosleep_time32", "utimes": "utimes_time32",
        "mq_timedsend": "mq_timedsend_time32", "mq_timedreceive": "mq_timedreceive_time32",
        "futimesat": "futimesat_time32", "pselect6": "pselect6_time32", "ppoll": "ppoll_time32",
        "utimensat": "utimensat_time32", "timerfd_settime": "timerfd_settime32",
        "timerfd_gettime": "timerfd_gettime32", "recvmmsg": "recvmmsg_time32",
        "clock_adjtime": "clock_adjtime32", "rt_sigtimedwait": "rt_sigtimedwait_time32",
        "io_pgetevents": "io_pgetevents_time32", "semtimedop": "semtimedop_time32",
    ]

    /// i386's 16-bit uid/gid syscalls (`sys_X16` under CONFIG_UID16); `X32` is the plain `sys_X`.
    static let sixteenBit: Set<String> = [
        "lchown", "setuid", "getuid", "setgid", "getgid", "geteuid", "getegid", "setreuid", "setregid",
        "getgroups", "setgroups", "fchown", "setresuid", "getresuid", "setresgid", "getresgid", "chown",
        "setfsuid", "setfsgid",
    ]

    /// libaudit name → the entry point's base name(s), where they differ (per arch).
    static let exceptions: [String: [String: [String]]] = [
        "x86_64": [
            "stat": ["newstat"], "fstat": ["newfstat"], "lstat": ["newlstat"], "uname": ["newuname"],
            "sendfile": ["sendfile64"], "umount2": ["umount"], "pread": ["pread64"], "pwrite": ["pwrite64"],
            "_sysctl": ["sysctl"],
        ],
        "i386": [
            "oldstat": ["stat"], "oldlstat": ["lstat"], "oldfstat": ["fstat"], "stat": ["newstat"],
            "lstat": ["newlstat"], "fstat": ["newfstat"], "oldolduname": ["olduname"], "olduname": ["uname"],
            "uname": ["newuname"], "umount": ["oldumount"], "umount2": ["umount"],
            "getrlimit": ["old_getrlimit"], "ugetrlimit": ["getrlimit"], "select": ["old_select"],
            "_newselect": ["select"], "_llseek": ["llseek"], "readdir": ["old_readdir"],
            "mmap": ["mmap", "old_mmap"], "mmap2": ["mmap_pgoff", "mmap2"], "_sysctl": ["sysctl"],
            "fstatat64": ["fstatat64", "fstatat"], "pread64": ["pread64", "pread"],
            "pwrite64": ["pwrite64", "pwrite"], "fcntl": ["fcntl", "fcntl64"],
            "sys_kexec_load": ["kexec_load"], "sendfile": ["sendfile"],
        ],
        "aarch64": [
            "pread": ["pread64"], "pwrite": ["pwrite64"], "sendfile": ["sendfile64"], "umount2": ["umount"],
            "uname": ["newuname"], "fadvise64": ["fadvise64_64"],
        ],
    ]
}
