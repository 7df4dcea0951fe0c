import AuditKit
import Foundation
import Glibc

/// What one kernel really implements, per arch it serves: read from its
/// `/proc/kallsyms` (``KallsymsReader``) rather than inferred from its version,
/// so that backports (RHEL's 3.10 with syscalls 3.10 predates) and configuration
/// (a 6.x kernel built without `kexec_load` or `init_module`) are seen.
///
/// Export it with ``jsonData()`` (`callguard abi --export-host`), collect one
/// per host type, and judge images against it later (``init(json:)``).
public struct KernelSyscallTable: Sendable, Equatable {
    /// What a kernel has of one syscall on one arch.
    public enum Implementation: String, Sendable, Codable {
        /// Its entry point is a text symbol: calling it works.
        case implemented
        /// Its entry point is a weak symbol: configured out, ENOSYS.
        case configuredOut = "configured_out"
        /// The kernel has no entry point by that name: ENOSYS (or never existed there).
        case absent
    }

    /// The format tag written into exports.
    public static let format = "callguard-kernel-table/1"

    /// `uname -r` of the kernel.
    public var release: String
    /// `uname -m` of the kernel ("x86_64", "aarch64").
    public var machine: String
    /// Where the table was read: "/proc/kallsyms", or the file given.
    public var readFrom: String
    public var convention: KernelEntryPoints.Convention
    /// Whether kallsyms showed zero addresses (names still count).
    public var addressesHidden: Bool
    /// Per libaudit arch name ("x86_64", "i386", "aarch64"): kernel syscall name → implementation.
    public var arches: [String: [String: Implementation]]

    public init(
        release: String, machine: String, readFrom: String, convention: KernelEntryPoints.Convention,
        addressesHidden: Bool, arches: [String: [String: Implementation]]
    ) {
        self.release = release
        self.machine = machine
        self.readFrom = readFrom
        self.convention = convention
        self.addressesHidden = addressesHidden
        self.arches = arches
    }

    /// The kernel version of ``release`` (nil when it does not parse).
    public var kernel: KernelVersion? { try? KernelVersion(parsing: release) }

    /// The arches served, in libaudit's names, sorted.
    public var archNames: [String] { arches.keys.sorted() }

    /// What the kernel has of `name` (libaudit's or the kernel's spelling) on `arch`;
    /// nil when the table does not cover `arch` or `name` is not a syscall of it.
    public func implementation(of name: String, arch: AuditArch) -> Implementation? {
        guard let archName = arch.name, let table = arches[archName] else { return nil }
        return table[SyscallTable.kernelName(name)] ?? table[name]
    }

    /// Counts per implementation on `arch`.
    public func counts(arch: String) -> (implemented: Int, configuredOut: Int, absent: Int) {
        var c = (0, 0, 0)
        for v in (arches[arch] ?? [:]).values {
            switch v {
            case .implemented: c.0 += 1
            case .configuredOut: c.1 += 1
            case .absent: c.2 += 1
            }
        }
        return c
    }
}

extension KernelSyscallTable {
    /// The running kernel's table, from `/proc/kallsyms` and `uname`.
    public static func running(kallsyms path: String = "/proc/kallsyms") throws(KernelTableError) -> KernelSyscallTable {
        var u = utsname()
        guard uname(&u) == 0 else { throw .unreadable(path: "uname", reason: String(cString: strerror(errno))) }
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let symbols = try KallsymsReader().read(path: path)
        return try KernelSyscallTable(symbols: symbols, release: release, machine: machine, readFrom: path)
    }

    /// The table of a kernel whose kallsyms were read into `symbols`.
    /// `machine` is the kernel's `uname -m` (old kernels' symbols do not say it).
    public init(symbols: KallsymsReader.Result, release: String, machine: String, readFrom: String)
        throws(KernelTableError)
    {
        let s = symbols.symbols
        let has: (String) -> Bool = { prefix in s.keys.contains { $0.hasPrefix(prefix) } }
        let convention: KernelEntryPoints.Convention
        var served: [String] = []
        if has("__x64_sys_") || has("__arm64_sys_") || has("__ia32_sys_") {
            convention = .ptRegsWrappers
            if has("__x64_sys_") { served.append("x86_64") }
            if has("__ia32_sys_") || has("__ia32_compat_sys_") { served.append("i386") }
            if has("__arm64_sys_") { served.append("aarch64") }
        } else if s["sys_read"] != nil || s["SyS_read"] != nil {
            convention = .plain
            let native = machine.hasPrefix("i") && machine.hasSuffix("86") ? "i386" : machine == "arm64" ? "aarch64" : machine
            served.append(native)
            if native == "x86_64", !KallsymsReader.markers.allSatisfy({ s[$0] == nil }) { served.append("i386") }
        } else {
            throw .noSyscallSymbols(path: readFrom, lines: symbols.lines)
        }
        let nativeMachine = machine == "arm64" ? "aarch64" : machine
        var arches: [String: [String: Implementation]] = [:]
        for archName in served {
            guard let arch = AuditArch(name: archName), SyscallTable.shared.arches.contains(arch) else { continue }
            let prefixes = KernelEntryPoints.prefixes(arch: archName, convention: convention, nativeMachine: nativeMachine)
            let hasTime64Split = prefixes.contains { s[$0 + KernelEntryPoints.time32Marker] != nil }
            var table: [String: Implementation] = [:]
            for number in SyscallTable.shared.allNumbers(on: arch) {
                guard let name = arch.syscallName(number) else { continue }
                var bases = KernelEntryPoints.bases(of: name, arch: archName)
                if archName == "i386", let shared = KernelEntryPoints.i386Time64[name] {
                    bases = hasTime64Split ? [shared] : []
                }
                var found: Implementation = .absent
                search: for base in bases {
                    for prefix in prefixes {
                        guard let symbol = s[prefix + base] else { continue }
                        if symbol.isText {
                            found = .implemented
                            break search
                        }
                        if symbol.isWeak { found = .configuredOut }
                    }
                }
                table[SyscallTable.kernelName(name)] = found
            }
            arches[archName] = table
        }
        guard !arches.isEmpty else { throw .noSyscallSymbols(path: readFrom, lines: symbols.lines) }
        self.init(
            release: release, machine: machine, readFrom: readFrom, convention: convention,
            addressesHidden: symbols.addressesHidden, arches: arches)
    }
}

/// Reading a kernel's syscall table failed.
public enum KernelTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file was read but lists no syscall entry point.
    case noSyscallSymbols(path: String, lines: Int)
    /// An exported table that does not decode.
    case badExport(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason); run as root (the file is root-readable on hardened hosts), "
                + "or collect the table on the host with 'callguard abi --export-host > host.json' and judge "
                + "with --kernel-table host.json"
        case .noSyscallSymbols(let path, let lines):
            return "\(path) lists no syscall entry points (\(lines) lines read): the kernel hides its symbols "
                + "from this reader (check 'sysctl kernel.kptr_restrict' and run as root; with CONFIG_KALLSYMS "
                + "off there is no table), so judge by version with --kernel VERSION"
        case .badExport(let path, let reason):
            return "\(path) is not a kernel table written by 'callguard abi --export-host': \(reason)"
        }
    }
}
