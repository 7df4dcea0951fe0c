import Glibc

/// Reads the syscall entry points out of a `/proc/kallsyms`-format file,
/// streaming: the file (about 120,000 lines on a 6.x kernel, 200,000 with
/// modules) is read in 64 KiB blocks and only the lines whose name starts with
/// one of the entry-point prefixes become strings; nothing else is kept.
///
/// What a line says: `ADDRESS TYPE NAME[\t[MODULE]]`. `T`/`t` is a function in
/// the kernel's text (the syscall is implemented); `W`/`w` is a weak symbol,
/// which for a syscall entry means no strong definition was linked: the
/// syscall was configured out and the weak alias (`cond_syscall`, before 4.17:
/// same address as `sys_ni_syscall`) or weak stub (`COND_SYSCALL`, 4.17+: its
/// own address, returning -ENOSYS) is what the table calls.
public struct KallsymsReader: Sendable {
    /// One symbol of interest: its type letter and address (0 when `kernel.kptr_restrict` hides addresses).
    public struct Symbol: Sendable, Hashable {
        public var type: UInt8
        public var address: UInt64

        /// `T`/`t`: a function in the kernel's text.
        public var isText: Bool { type == UInt8(ascii: "T") || type == UInt8(ascii: "t") }
        /// `W`/`w`: a weak symbol with no strong definition.
        public var isWeak: Bool { type == UInt8(ascii: "W") || type == UInt8(ascii: "w") }
    }

    /// The name prefixes kept: the pt_regs wrappers of 4.17+ (x86_64, ia32 emulation,
    /// arm64) and the plain and long-argument entry points before 4.17.
    public static let prefixes: [String] = [
        "__x64_sys_", "__ia32_sys_", "__ia32_compat_sys_", "__arm64_sys_",
        "sys_", "SyS_", "compat_sys_", "sys32_",
    ]

    /// Other names kept as they are: the markers of ia32 emulation on old x86_64 kernels.
    public static let markers: Set<String> = [
        "ia32_syscall", "ia32_sysenter_target", "ia32_cstar_target", "entry_INT80_compat",
        "entry_SYSENTER_compat",
    ]

    /// Every kept symbol by name, with the lines read.
    public struct Result: Sendable {
        public var symbols: [String: Symbol] = [:]
        public var lines = 0
        /// Whether every kept address was zero (`kernel.kptr_restrict` or an unprivileged reader).
        public var addressesHidden = true
    }

    public init() {}

    /// Reads `path`, or throws ``KernelTableError/unreadable(path:reason:)``.
    public func read(path: String) throws(KernelTableError) -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var parser = LineParser()
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var carried = 0  // bytes of an unfinished line at the buffer's start
        while true {
            let n = Glibc.read(fd, buffer.baseAddress! + carried, capacity - carried)
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            let end = carried + n
            var start = 0
            let base = buffer.baseAddress!
            while start < end, let nl = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start) {
                let i = base.distance(to: nl)
                parser.line(UnsafeRawBufferPointer(rebasing: buffer[start..<i]))
                start = i + 1
            }
            if n == 0 {
                if start < end { parser.line(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) }
                break
            }
            carried = end - start
            if carried == capacity {  // a line longer than the buffer: no kallsyms line is; drop it
                carried = 0
            } else if carried > 0, start > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: carried)
            }
        }
        return parser.result
    }

    /// Parses text already in memory (fixtures, tests).
    public func parse(_ text: String) -> Result {
        var parser = LineParser()
        var copy = text
        copy.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
                parser.line(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<i])))
                start = i + 1
            }
            if start < bytes.count { parser.line(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...]))) }
        }
        return parser.result
    }

    struct LineParser {
        var result = Result()

        mutating func line(_ line: UnsafeRawBufferPointer) {
            result.lines += 1
            // ADDRESS TYPE NAME: most lines are dropped on their name's first bytes,
            // and the address is parsed only for the lines kept.
            guard let base = line.baseAddress, let space = memchr(base, Int32(UInt8(ascii: " ")), line.count) else {
                return
            }
            let i = base.distance(to: UnsafeRawPointer(space))
            guard i > 0, i + 3 < line.count, line[i + 2] == UInt8(ascii: " ") else { return }
            let type = line[i + 1]
            let nameStart = i + 3
            guard Self.mayBeKept(base + nameStart, line.count - nameStart) else { return }
            var nameEnd = nameStart
            while nameEnd < line.count, line[nameEnd] != UInt8(ascii: "\t"), line[nameEnd] != UInt8(ascii: " ") {
                if line[nameEnd] == UInt8(ascii: ".") { return }  // "__x64_sys_setitimer.cold": a split-off part
                nameEnd += 1
            }
            if nameEnd < line.count { return }  // "\t[module]": syscalls are never in modules
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[nameStart..<nameEnd]), as: UTF8.self)
            if !KallsymsReader.prefixes.contains(where: text.hasPrefix), !KallsymsReader.markers.contains(text) { return }
            var address: UInt64 = 0
            for j in 0..<i {
                guard let d = Self.hexValue(line[j]) else { return }
                address = address &<< 4 | UInt64(d)
            }
            if address != 0 { result.addressesHidden = false }
            // A name may appear twice (a weak and a strong one in old kernels): the strong one wins.
            if let old = result.symbols[text], old.isText { return }
            result.symbols[text] = Symbol(type: type, address: address)
        }

        /// Whether the name at `p` starts like a kept one (``prefixes``, ``markers``):
        /// a switch on the first byte, then `memcmp`, with no allocation.
        static func mayBeKept(_ p: UnsafeRawPointer, _ count: Int) -> Bool {
            guard count > 0 else { return false }
            func starts(_ s: StaticString) -> Bool {
                count >= s.utf8CodeUnitCount && memcmp(p, s.utf8Start, s.utf8CodeUnitCount) == 0
            }
            switch p.load(as: UInt8.self) {
            case UInt8(ascii: "_"):
                return starts("__x64_sys_") || starts("__ia32_sys_") || starts("__ia32_compat_sys_")
                    || starts("__arm64_sys_")
            case UInt8(ascii: "s"): return starts("sys_") || starts("sys32_")
            case UInt8(ascii: "S"): return starts("SyS_")
            case UInt8(ascii: "c"): return starts("compat_sys_")
            case UInt8(ascii: "i"): return starts("ia32_s") || starts("ia32_c")
            case UInt8(ascii: "e"): return starts("entry_")
            default: return false
            }
        }

        static func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
    }
}
